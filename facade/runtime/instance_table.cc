// Copyright 2026 The natfwt Authors.

#include "facade/runtime/instance_table.h"

#include <utility>

namespace natfwt::cp {

InstanceTable& InstanceTable::Global() {
  static InstanceTable* table = new InstanceTable;
  return *table;
}

absl::StatusOr<CPNATFWT_PROVIDER_INSTANCE> InstanceTable::Add(
    std::shared_ptr<Instance> instance) {
  absl::MutexLock lock(&mutex_);
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else if (slots_.size() < kMaxSlots) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    return absl::ResourceExhaustedError("too many provider instances");
  }
  slots_[slot].instance = std::move(instance);
  ++used_;
  uint64_t value = (uint64_t{slots_[slot].generation} << 32) | (slot + 1);
  return reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(
      static_cast<uintptr_t>(value));
}

uint32_t InstanceTable::SlotOf(CPNATFWT_PROVIDER_INSTANCE handle) {
  uint64_t value = reinterpret_cast<uintptr_t>(handle);
  return static_cast<uint32_t>(value & 0xffffffffu) - 1;
}

bool InstanceTable::Decode(CPNATFWT_PROVIDER_INSTANCE handle, uint32_t* slot,
                           uint32_t* generation) const {
  uint64_t value = reinterpret_cast<uintptr_t>(handle);
  uint32_t low = static_cast<uint32_t>(value & 0xffffffffu);
  if (low == 0) return false;
  *slot = low - 1;
  *generation = static_cast<uint32_t>(value >> 32);
  return true;
}

std::shared_ptr<Instance> InstanceTable::Find(
    CPNATFWT_PROVIDER_INSTANCE handle) const {
  uint32_t slot, generation;
  if (!Decode(handle, &slot, &generation)) return nullptr;
  absl::ReaderMutexLock lock(&mutex_);  // Every indication looks up here.
  if (slot >= slots_.size() || slots_[slot].generation != generation) {
    return nullptr;
  }
  return slots_[slot].instance;
}

std::shared_ptr<Instance> InstanceTable::FindBySlot(uint32_t slot) const {
  absl::ReaderMutexLock lock(&mutex_);
  return slot < slots_.size() ? slots_[slot].instance : nullptr;
}

std::shared_ptr<Instance> InstanceTable::Remove(
    CPNATFWT_PROVIDER_INSTANCE handle) {
  uint32_t slot, generation;
  if (!Decode(handle, &slot, &generation)) return nullptr;
  absl::MutexLock lock(&mutex_);
  if (slot >= slots_.size() || slots_[slot].generation != generation ||
      slots_[slot].instance == nullptr) {
    return nullptr;
  }
  std::shared_ptr<Instance> instance = std::move(slots_[slot].instance);
  // Generation 0 is never issued, so a zeroed high half never validates.
  if (++slots_[slot].generation == 0) slots_[slot].generation = 1;
  free_.push_back(slot);
  --used_;
  return instance;
}

size_t InstanceTable::size() const {
  absl::MutexLock lock(&mutex_);
  return used_;
}

}  // namespace natfwt::cp
