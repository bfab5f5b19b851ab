// Copyright 2026 The natfwt Authors.

#include "tests/engine/provider/fake_node.h"

#include <utility>

namespace natfwt::provider::testing {

node::NodeStatus FakeNode::Status() const {
  node::NodeStatus status;
  status.node_id = id_;
  status.transport_ids = last_published();
  return status;
}

void FakeNode::Ping(std::string /*peer*/, int /*count*/,
                    absl::Duration /*interval*/, absl::Duration /*timeout*/,
                    std::function<void(const node::PingReply&)> /*on_reply*/,
                    std::function<void()> on_done) {
  on_done();
}

void FakeNode::SetPacketSink(node::PacketSink* sink) {
  {
    absl::MutexLock lock(&sink_mutex_);
    sink_ = sink;
  }
  absl::MutexLock lock(&mutex_);
  sink_set_ = sink != nullptr;
}

node::PacketSink* FakeNode::sink() const {
  absl::ReaderMutexLock lock(&sink_mutex_);
  return sink_;
}

bool FakeNode::WaitForSink(bool set, absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return sink_set_ == set;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

void FakeNode::SetDormant(bool dormant) {
  absl::MutexLock lock(&mutex_);
  dormancy_.push_back(dormant);
}

absl::Status FakeNode::SetTransportIds(std::vector<std::string> ids) {
  for (const std::string& id : ids) {
    if (!net::IpAddress::Parse(id).ok()) {
      return absl::InvalidArgumentError("not an IP address");
    }
  }
  absl::MutexLock lock(&mutex_);
  published_.push_back(std::move(ids));
  return absl::OkStatus();
}

std::optional<std::string> FakeNode::PeerOwning(
    const net::IpAddress& transport_id) const {
  absl::MutexLock lock(&mutex_);
  lookups_.push_back(transport_id);
  if (claim_next_.has_value()) {
    std::optional<std::string> claimed;
    claimed.swap(claim_next_);
    return claimed;
  }
  auto it = owners_.find(transport_id);
  if (it == owners_.end()) return std::nullopt;
  return it->second;
}

void FakeNode::Connect(std::string peer, Done done) {
  ConnectMode mode;
  absl::Status failure;
  {
    absl::MutexLock lock(&mutex_);
    connects_.push_back(peer);
    mode = connect_mode_;
    failure = connect_failure_;
    if (mode == ConnectMode::kHold) {
      held_.emplace_back(std::move(peer), std::move(done));
      return;
    }
  }
  done(mode == ConnectMode::kSucceed ? absl::OkStatus() : failure);
}

absl::StatusOr<size_t> FakeNode::SendPackets(
    absl::string_view peer,
    absl::Span<const absl::Span<const uint8_t>> packets) {
  Batch batch;
  batch.peer = std::string(peer);
  batch.size = packets.size();
  if (record_.load()) {
    for (absl::Span<const uint8_t> packet : packets) {
      batch.packets.emplace_back(packet.begin(), packet.end());
    }
  }
  absl::MutexLock lock(&mutex_);
  ++sends_started_;
  auto open = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !gate_closed_;
  };
  mutex_.Await(absl::Condition(&open));
  if (!send_status_.ok()) return send_status_;
  if (record_.load()) batches_.push_back(std::move(batch));
  packets_sent_.fetch_add(packets.size());
  return packets.size();
}

void FakeNode::SetOwner(const net::IpAddress& transport_id,
                        const std::string& peer) {
  {
    absl::MutexLock lock(&mutex_);
    if (peer.empty()) {
      owners_.erase(transport_id);
    } else {
      owners_[transport_id] = peer;
    }
  }
  absl::ReaderMutexLock lock(&sink_mutex_);
  if (sink_ != nullptr) sink_->OnPeerRecordChanged(peer);
}

void FakeNode::ClaimNextLookup(const std::string& peer) {
  absl::MutexLock lock(&mutex_);
  claim_next_ = peer;
}

void FakeNode::set_connect_mode(ConnectMode mode, absl::Status failure) {
  absl::MutexLock lock(&mutex_);
  connect_mode_ = mode;
  connect_failure_ = std::move(failure);
}

bool FakeNode::TakeHeldConnect(Done* done, std::string* peer,
                               absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !held_.empty();
  };
  if (!mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout)) return false;
  if (peer != nullptr) *peer = held_.front().first;
  *done = std::move(held_.front().second);
  held_.pop_front();
  return true;
}

void FakeNode::set_send_status(absl::Status status) {
  absl::MutexLock lock(&mutex_);
  send_status_ = std::move(status);
}

void FakeNode::CloseGate() {
  absl::MutexLock lock(&mutex_);
  gate_closed_ = true;
}

void FakeNode::OpenGate() {
  absl::MutexLock lock(&mutex_);
  gate_closed_ = false;
}

bool FakeNode::Deliver(const std::string& peer,
                       const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<absl::Span<const uint8_t>> spans;
  for (const std::vector<uint8_t>& packet : packets) {
    spans.push_back(absl::MakeConstSpan(packet));
  }
  absl::ReaderMutexLock lock(&sink_mutex_);
  if (sink_ == nullptr) return false;
  sink_->OnPackets(peer, spans);
  return true;
}

std::vector<FakeNode::Batch> FakeNode::batches() const {
  absl::MutexLock lock(&mutex_);
  return batches_;
}

bool FakeNode::WaitForPacketsSent(uint64_t count,
                                  absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return packets_sent_.load() >= count;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

bool FakeNode::WaitForSendsStarted(uint64_t count,
                                   absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return sends_started_ >= count;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

std::vector<std::vector<std::string>> FakeNode::published() const {
  absl::MutexLock lock(&mutex_);
  return published_;
}

std::vector<std::string> FakeNode::last_published() const {
  absl::MutexLock lock(&mutex_);
  return published_.empty() ? std::vector<std::string>() : published_.back();
}

bool FakeNode::WaitForPublished(
    const std::function<bool(const std::vector<std::string>&)>& predicate,
    absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !published_.empty() && predicate(published_.back());
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

std::vector<bool> FakeNode::dormancy() const {
  absl::MutexLock lock(&mutex_);
  return dormancy_;
}

bool FakeNode::WaitForDormancy(size_t count, absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return dormancy_.size() >= count;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

std::vector<std::string> FakeNode::connects() const {
  absl::MutexLock lock(&mutex_);
  return connects_;
}

std::vector<net::IpAddress> FakeNode::lookups() const {
  absl::MutexLock lock(&mutex_);
  return lookups_;
}

}  // namespace natfwt::provider::testing
