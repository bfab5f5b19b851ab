// Copyright 2026 The natfwt Authors.
//
// IndicateSlots: see indicate_slots.h.

#include "engine/provider/indicate_slots.h"

#include <algorithm>
#include <cstring>

namespace natfwt::provider {
namespace {

bool IsTransportIdSize(size_t size) { return size == 4 || size == 16; }

}  // namespace

IndicateSlots::IndicateSlots(size_t count)
    : count_(std::max<size_t>(count, 1)), slots_(new Slot[count_]) {
  free_.reserve(count_);
  lent_.assign(count_, false);
  for (size_t i = count_; i > 0; --i) {
    free_.push_back(static_cast<uint32_t>(i - 1));
  }
}

IndicateSlots::Slot* IndicateSlots::Acquire(absl::Span<const uint8_t> packet,
                                            absl::Span<const uint8_t> local,
                                            absl::Span<const uint8_t> remote,
                                            absl::Duration wait) {
  if (packet.empty() || packet.size() > kSlotBytes ||
      !IsTransportIdSize(local.size()) || !IsTransportIdSize(remote.size())) {
    return nullptr;
  }
  Slot* slot;
  {
    absl::MutexLock lock(&mutex_);
    if (free_.empty() &&
        !mutex_.AwaitWithTimeout(absl::Condition(this, &IndicateSlots::AnyFree),
                                 wait)) {
      return nullptr;
    }
    uint32_t index = free_.back();
    free_.pop_back();
    lent_[index] = true;
    slot = &slots_[index];
  }
  std::memcpy(slot->data, packet.data(), packet.size());
  std::memcpy(slot->local_bytes, local.data(), local.size());
  std::memcpy(slot->remote_bytes, remote.data(), remote.size());
  slot->chain = {nullptr, static_cast<ULONG>(packet.size()), slot->data};
  slot->local = {static_cast<USHORT>(local.size()), slot->local_bytes};
  slot->remote = {static_cast<USHORT>(remote.size()), slot->remote_bytes};
  return slot;
}

void IndicateSlots::Release(const void* pointer) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(slots_.get());
  const uintptr_t address = reinterpret_cast<uintptr_t>(pointer);
  const size_t offset = address - base;  // Wraps for addresses below base.
  const size_t index = offset / sizeof(Slot);
  absl::MutexLock lock(&mutex_);
  if (address < base || index >= count_ || offset % sizeof(Slot) != 0 ||
      !lent_[index]) {
    ++bad_releases_;
    return;
  }
  lent_[index] = false;
  free_.push_back(static_cast<uint32_t>(index));
}

bool IndicateSlots::WaitAllReturned(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  return mutex_.AwaitWithTimeout(
      absl::Condition(this, &IndicateSlots::AllReturned), timeout);
}

size_t IndicateSlots::lent() const {
  absl::MutexLock lock(&mutex_);
  return count_ - free_.size();
}

uint64_t IndicateSlots::bad_releases() const {
  absl::MutexLock lock(&mutex_);
  return bad_releases_;
}

}  // namespace natfwt::provider
