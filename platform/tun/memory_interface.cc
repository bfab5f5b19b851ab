// Copyright 2026 The natfwt Authors.

#include "platform/tun/memory_interface.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "platform/base/status_macros.h"
#include "platform/tun/validation.h"

namespace natfwt::tun {
namespace {

uint32_t NextIndex() {
  static std::atomic<uint32_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::string MemoryName(const std::string& kernel_name, uint32_t index) {
  if (kernel_name.empty()) return "mem0";
  return absl::StrReplaceAll(kernel_name, {{"%d", absl::StrCat(index)}});
}

absl::Status Closed() {
  return absl::CancelledError("memory interface is closed");
}

}  // namespace

absl::StatusOr<std::unique_ptr<MemoryInterface>> MemoryInterface::Create(
    InterfaceConfig config, size_t queue_limit) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceConfig(config));
  return std::make_unique<MemoryInterface>(std::move(config), queue_limit);
}

MemoryInterface::MemoryInterface(InterfaceConfig config, size_t queue_limit)
    : config_(std::move(config)),
      index_(NextIndex()),
      name_(MemoryName(config_.kernel_name, index_)),
      queue_limit_(queue_limit),
      addresses_(config_.addresses) {}

MemoryInterface::~MemoryInterface() { Close(); }

absl::StatusOr<size_t> MemoryInterface::Read(absl::Span<PacketBuffer> packets) {
  NATFWT_RETURN_IF_ERROR(ValidateReadBuffers(packets));
  packets = packets.subspan(0, std::min(packets.size(), kBatchSize));
  absl::MutexLock lock(&mu_);
  size_t filled = 0;
  // Oversize packets are dropped, so a wakeup may fill nothing: wait again.
  while (filled == 0) {
    mu_.Await(absl::Condition(this, &MemoryInterface::ReadableOrClosed));
    if (closed_) return Closed();
    if (interrupted_) {
      interrupted_ = false;
      return 0;
    }
    filled = TakeQueued(packets);
  }
  return filled;
}

void MemoryInterface::Interrupt() {
  absl::MutexLock lock(&mu_);
  if (!closed_) interrupted_ = true;
}

size_t MemoryInterface::TakeQueued(absl::Span<PacketBuffer> packets) {
  size_t filled = 0;
  while (filled < packets.size() && !to_read_.empty()) {
    const std::vector<uint8_t>& packet = to_read_.front();
    PacketBuffer& slot = packets[filled];
    if (packet.size() > slot.capacity) {
      ++dropped_oversize_;
    } else {
      std::memcpy(slot.data, packet.data(), packet.size());
      slot.size = packet.size();
      ++filled;
    }
    to_read_.pop_front();
  }
  return filled;
}

absl::Status MemoryInterface::Write(
    absl::Span<const absl::Span<const uint8_t>> packets, size_t* written) {
  size_t count = 0;
  absl::Status status = DeliverAll(packets, &count);
  if (written != nullptr) *written = count;
  return status;
}

absl::Status MemoryInterface::DeliverAll(
    absl::Span<const absl::Span<const uint8_t>> packets, size_t* count) {
  absl::MutexLock lock(&mu_);
  if (hold_writes_ && !closed_) {
    ++held_writes_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !hold_writes_ || closed_;
    };
    mu_.Await(absl::Condition(&released));
    --held_writes_;
  }
  if (closed_) return Closed();
  write_batches_.push_back(packets.size());
  if (write_batches_.size() > kWriteHistory) write_batches_.pop_front();
  for (absl::Span<const uint8_t> packet : packets) {
    if (!IsWellFormedPacket(packet)) {
      return MalformedPacketError(packet, *count);
    }
    if (delivered_.size() >= queue_limit_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "delivered queue of ", name_, " is full (", queue_limit_, ")"));
    }
    delivered_.emplace_back(packet.begin(), packet.end());
    ++*count;
  }
  return absl::OkStatus();
}

int MemoryInterface::FindAddress(const net::IpPrefix& address,
                                 bool exact) const {
  for (size_t i = 0; i < addresses_.size(); ++i) {
    const net::IpPrefix& present = addresses_[i];
    // Like Linux: an IPv6 address exists once whatever its prefix length;
    // IPv4 addresses differ by prefix length too. Removal needs both.
    bool same_length =
        present.length == address.length || (!exact && address.address.is_v6());
    if (present.address == address.address && same_length) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

absl::Status MemoryInterface::AddAddress(const net::IpPrefix& address) {
  NATFWT_RETURN_IF_ERROR(ValidateAddress(address, config_.mtu));
  absl::MutexLock lock(&mu_);
  if (closed_) return Closed();
  if (FindAddress(address, /*exact=*/false) >= 0) {
    return absl::AlreadyExistsError(
        absl::StrCat(address.ToString(), " is already on ", name_));
  }
  addresses_.push_back(address);
  return absl::OkStatus();
}

absl::Status MemoryInterface::RemoveAddress(const net::IpPrefix& address) {
  NATFWT_RETURN_IF_ERROR(ValidatePrefix(address));
  absl::MutexLock lock(&mu_);
  if (closed_) return Closed();
  int found = FindAddress(address, /*exact=*/true);
  if (found < 0) {
    return absl::NotFoundError(
        absl::StrCat(address.ToString(), " is not on ", name_));
  }
  addresses_.erase(addresses_.begin() + found);
  return absl::OkStatus();
}

InterfaceStats MemoryInterface::stats() const {
  absl::MutexLock lock(&mu_);
  return InterfaceStats{.dropped_oversize = dropped_oversize_};
}

void MemoryInterface::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  to_read_.clear();
}

bool MemoryInterface::InjectFromHost(absl::Span<const uint8_t> packet) {
  absl::MutexLock lock(&mu_);
  if (closed_ || packet.empty() || to_read_.size() >= queue_limit_) {
    ++dropped_injected_;
    return false;
  }
  to_read_.emplace_back(packet.begin(), packet.end());
  return true;
}

std::optional<std::vector<uint8_t>> MemoryInterface::WaitDelivered(
    absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(
      absl::Condition(this, &MemoryInterface::DeliveredOrClosed), timeout);
  if (delivered_.empty()) return std::nullopt;
  std::vector<uint8_t> packet = std::move(delivered_.front());
  delivered_.pop_front();
  return packet;
}

std::vector<std::vector<uint8_t>> MemoryInterface::TakeDelivered() {
  absl::MutexLock lock(&mu_);
  std::vector<std::vector<uint8_t>> all(
      std::make_move_iterator(delivered_.begin()),
      std::make_move_iterator(delivered_.end()));
  delivered_.clear();
  return all;
}

void MemoryInterface::HoldWrites() {
  absl::MutexLock lock(&mu_);
  hold_writes_ = true;
}

void MemoryInterface::ReleaseWrites() {
  absl::MutexLock lock(&mu_);
  hold_writes_ = false;
}

bool MemoryInterface::WaitForHeldWrite(absl::Duration timeout, size_t count) {
  absl::MutexLock lock(&mu_);
  auto held = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return held_writes_ >= count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&held), timeout);
}

std::vector<size_t> MemoryInterface::WriteBatchSizes() const {
  absl::MutexLock lock(&mu_);
  return std::vector<size_t>(write_batches_.begin(), write_batches_.end());
}

std::vector<net::IpPrefix> MemoryInterface::addresses() const {
  absl::MutexLock lock(&mu_);
  return addresses_;
}

bool MemoryInterface::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

uint64_t MemoryInterface::dropped_oversize() const {
  absl::MutexLock lock(&mu_);
  return dropped_oversize_;
}

uint64_t MemoryInterface::dropped_injected() const {
  absl::MutexLock lock(&mu_);
  return dropped_injected_;
}

bool MemoryInterface::ReadableOrClosed() const {
  return closed_ || interrupted_ || !to_read_.empty();
}

bool MemoryInterface::DeliveredOrClosed() const {
  return closed_ || !delivered_.empty();
}

}  // namespace natfwt::tun
