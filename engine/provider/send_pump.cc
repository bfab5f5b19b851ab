// Copyright 2026 The natfwt Authors.

#include "engine/provider/send_pump.h"

#include <algorithm>
#include <utility>

#include "platform/base/logging.h"

namespace natfwt::provider {
namespace {

// Largest IP packet a chain can carry (IPv6: 65535 bytes of payload after
// the 40-byte fixed header, RFC 8200 section 3).
constexpr size_t kMaxPacket = 65535 + 40;

HRESULT SendStatusToHresult(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kFailedPrecondition:  // No secure session.
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kNotFound:
      return HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE);
    default:
      return S_OK;  // Congestion and the like: dropped, still "accepted".
  }
}

}  // namespace

SendPump::SendPump(node::Node& node, OwnerCache& owners, Options options,
                   absl::AnyInvocable<void()> on_exit)
    : node_(node),
      owners_(owners),
      options_(options),
      on_exit_(std::move(on_exit)),
      ring_(std::max<size_t>(options.capacity, 1)),
      items_(std::max<size_t>(options.capacity, 1)) {
  spans_.reserve(std::max<size_t>(options_.max_batch, 1));
  owner_.reserve(64);
  group_peer_.reserve(64);
}

SendPump::~SendPump() {
  RequestStop();
  Join();
}

absl::Status SendPump::Start() {
  if (started_) return absl::FailedPreconditionError("send pump started twice");
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

bool SendPump::Push(const Item& item) {
  {
    absl::MutexLock lock(&mutex_);
    if (!stopping_ && count_ < ring_.size()) {
      ring_[(head_ + count_) % ring_.size()] = item;
      ++count_;
      ++queued_;
      return true;  // Unlock wakes the worker if it waits for this.
    }
  }
  Count(queue_full_, 1);
  return false;
}

void SendPump::RequestStop() {
  absl::MutexLock lock(&mutex_);
  stopping_ = true;
}

void SendPump::Join() {
  if (thread_.joinable()) thread_.join();
}

SendCounters SendPump::counters() const {
  SendCounters c;
  {
    absl::MutexLock lock(&mutex_);
    c.queued = queued_;
  }
  c.packets_sent = packets_sent_.load(std::memory_order_relaxed);
  c.batches = batches_.load(std::memory_order_relaxed);
  c.dropped = dropped_.load(std::memory_order_relaxed);
  c.unreachable = unreachable_.load(std::memory_order_relaxed);
  c.aborted = aborted_.load(std::memory_order_relaxed);
  c.queue_full = queue_full_.load(std::memory_order_relaxed);
  c.largest_batch = largest_batch_.load(std::memory_order_relaxed);
  return c;
}

void SendPump::Run() {
  size_t count = 0;
  while (Take(&count)) SendTaken(count);
  AbortQueued();
  if (on_exit_) on_exit_();
}

bool SendPump::Take(size_t* count) {
  absl::MutexLock lock(&mutex_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return count_ > 0 || stopping_;
  };
  mutex_.Await(absl::Condition(&ready));
  if (stopping_) return false;
  *count = count_;
  for (size_t i = 0; i < *count; ++i) {
    items_[i] = ring_[(head_ + i) % ring_.size()];
  }
  head_ = (head_ + *count) % ring_.size();
  count_ = 0;
  return true;
}

bool SendPump::Resolve(const net::IpAddress& destination) {
  const uint64_t generation = owners_.generation();
  if (generation == last_generation_ && destination == last_destination_) {
    return last_found_;
  }
  last_found_ = owners_.Lookup(destination, &owner_);
  last_destination_ = destination;
  last_generation_ = generation;
  return last_found_;
}

void SendPump::SendTaken(size_t count) {
  size_t i = 0;
  while (i < count) {
    if (!Resolve(items_[i].destination)) {
      Count(unreachable_, 1);
      CompleteRange(i, i + 1, HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE));
      ++i;
      continue;
    }
    if (items_[i].packet.empty()) {  // Several segments: sent alone.
      SendGathered(items_[i]);
      ++i;
      continue;
    }
    group_peer_.assign(owner_);
    size_t end = i + 1;
    while (end < count && end - i < options_.max_batch &&
           !items_[end].packet.empty() && Resolve(items_[end].destination) &&
           owner_ == group_peer_) {
      ++end;
    }
    SendGroup(i, end, group_peer_);
    i = end;
  }
}

void SendPump::SendGroup(size_t begin, size_t end, absl::string_view peer) {
  spans_.clear();
  for (size_t i = begin; i < end; ++i) spans_.push_back(items_[i].packet);
  const uint64_t size = end - begin;
  absl::StatusOr<size_t> sent = node_.SendPackets(peer, spans_);
  Count(batches_, 1);
  uint64_t largest = largest_batch_.load(std::memory_order_relaxed);
  if (size > largest) largest_batch_.store(size, std::memory_order_relaxed);
  HRESULT status = S_OK;
  if (sent.ok()) {
    Count(packets_sent_, *sent);
    Count(dropped_, size - std::min<uint64_t>(*sent, size));
  } else {
    status = SendStatusToHresult(sent.status());
    Count(FAILED(status) ? unreachable_ : dropped_, size);
  }
  CompleteRange(begin, end, status);
}

void SendPump::SendGathered(const Item& item) {
  if (gathered_.empty()) gathered_.resize(kMaxPacket);
  size_t size = 0;
  for (const CPNATFWT_BUFFER* segment = item.chain; segment != nullptr;
       segment = segment->next) {
    if (segment->size == 0) continue;
    std::copy(segment->buffer, segment->buffer + segment->size,
              gathered_.begin() + size);
    size += segment->size;
  }
  const absl::Span<const uint8_t> one[1] = {
      absl::MakeConstSpan(gathered_.data(), size)};
  absl::StatusOr<size_t> sent = node_.SendPackets(owner_, one);
  Count(batches_, 1);
  HRESULT status = sent.ok() ? S_OK : SendStatusToHresult(sent.status());
  if (sent.ok() && *sent == 1) {
    Count(packets_sent_, 1);
  } else {
    Count(FAILED(status) ? unreachable_ : dropped_, 1);
  }
  item.routine(item.context, status);
}

void SendPump::CompleteRange(size_t begin, size_t end, HRESULT status) {
  for (size_t i = begin; i < end; ++i) {
    items_[i].routine(items_[i].context, status);
  }
}

void SendPump::AbortQueued() {
  size_t count;
  {
    absl::MutexLock lock(&mutex_);
    count = count_;
    for (size_t i = 0; i < count; ++i) {
      items_[i] = ring_[(head_ + i) % ring_.size()];
    }
    count_ = 0;
  }
  Count(aborted_, count);
  CompleteRange(0, count, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
}

}  // namespace natfwt::provider
