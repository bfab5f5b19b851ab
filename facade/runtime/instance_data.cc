// Copyright 2026 The natfwt Authors.
//
// Instance: the packet path (spec section 7). Outbound: the reader thread
// reads batches from the interface; the data thread checks each packet's
// source, resolves its destination with REACH (cached, D12) and hands it to
// SEND_BUFFERS as a one-segment chain with the flow's endpointLuid.
// Inbound: IndicateReceivedBuffers validates; without a completion routine
// (or with a chain of several segments) it writes into the interface on the
// caller's thread; with one the packet is queued and written in a batch by
// the indicate thread (instance_indicate.cc).
//
// Hot-path errors are counters; nothing here logs per packet.

#include <algorithm>
#include <utility>

#include "facade/runtime/hresult.h"
#include "facade/runtime/instance.h"
#include "facade/wire/buffer_chain.h"
#include "facade/wire/ip_packet.h"
#include "platform/base/logging.h"

namespace natfwt::cp {
namespace {

// Packets waiting for an activation to finish (implementation choice,
// alongside D12's per-destination REACH queue).
constexpr size_t kActivationQueueLimit = 64;
// Largest IP packet (IPv4 total length / IPv6 payload length + header).
constexpr size_t kMaxIpPacket = 65535 + 40;

bool InSession(InstanceState state) {
  return state == InstanceState::kDormant ||
         state == InstanceState::kActivating ||
         state == InstanceState::kActive ||
         state == InstanceState::kDeactivating;
}

void FillId(absl::Span<const uint8_t> bytes, uint8_t* storage,
            CPNATFWT_TRANSPORT_ID* id) {
  std::copy(bytes.begin(), bytes.end(), storage);
  id->size = static_cast<USHORT>(bytes.size());
  id->transportId = storage;
}

}  // namespace

void Instance::PostData(DataEvent event) {
  {
    absl::MutexLock lock(&data_mutex_);
    if (event.kind == DataEvent::Kind::kStop) data_stopping_ = true;
    data_events_.push_back(std::move(event));
  }
  // The packet thread may sleep in Read(): it handles events between reads.
  if (interface_ != nullptr) interface_->Interrupt();
}

bool Instance::TakeSlots(std::vector<uint32_t>* taken, size_t most) {
  absl::MutexLock lock(&data_mutex_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(data_mutex_) {
    return !free_slots_.empty() || !data_events_.empty() || data_stopping_;
  };
  data_mutex_.Await(absl::Condition(&ready));
  if (data_stopping_ || !data_events_.empty()) return false;
  while (taken->size() < most && !free_slots_.empty()) {
    taken->push_back(free_slots_.back());
    free_slots_.pop_back();
  }
  return true;
}

// One thread does the whole outbound path: it reads a batch from the
// interface and hands each packet to the provider itself (no hand-off to
// another thread), and between reads it runs the events that completions
// post (REACH answers, activation results), which wake it with Interrupt().
void Instance::PacketLoop() {
  std::vector<tun::PacketBuffer> buffers(tun::VirtualInterface::kBatchSize);
  std::vector<uint32_t> taken;
  taken.reserve(buffers.size());
  for (;;) {
    if (!RunDataEvents()) return;
    taken.clear();
    if (!TakeSlots(&taken, buffers.size())) {
      if (DataStopping()) return;
      continue;  // Events first.
    }
    for (size_t i = 0; i < taken.size(); ++i) {
      buffers[i] = {slots_[taken[i]].data.get(), context_->options.mtu, 0};
    }
    absl::StatusOr<size_t> read =
        interface_->Read(absl::MakeSpan(buffers.data(), taken.size()));
    size_t count = read.ok() ? *read : 0;
    ReleaseSlots(absl::MakeConstSpan(taken).subspan(count));
    InstanceState state = observed_state_.load();
    for (size_t i = 0; i < count; ++i) {
      slots_[taken[i]].size = buffers[i].size;
      HandleOutbound(taken[i], state);
    }
    if (count > 0) NoteTraffic();
    if (!read.ok()) {
      if (read.status().code() != absl::StatusCode::kCancelled) {
        NATFWT_LOG(kError) << "interface " << interface_->name()
                           << " failed: " << read.status().message();
        RequestTermination(
            CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR);
      }
      return;
    }
  }
}

bool Instance::DataStopping() const {
  absl::MutexLock lock(&data_mutex_);
  return data_stopping_;
}

bool Instance::RunDataEvents() {
  for (;;) {
    DataEvent event;
    {
      absl::MutexLock lock(&data_mutex_);
      if (data_events_.empty()) return true;
      event = std::move(data_events_.front());
      data_events_.pop_front();
    }
    if (!RunDataEvent(event)) return false;
  }
}

bool Instance::RunDataEvent(const DataEvent& event) {
  switch (event.kind) {
    case DataEvent::Kind::kStop:
      return false;
    case DataEvent::Kind::kPackets: {
      InstanceState state = observed_state_.load();
      for (uint32_t slot : event.slots) HandleOutbound(slot, state);
      NoteTraffic();
      break;
    }
    case DataEvent::Kind::kSendQueued: {
      std::deque<uint32_t> ready;
      {
        absl::MutexLock lock(&data_mutex_);
        ready.swap(ready_to_send_);
      }
      for (uint32_t slot : ready) Send(slot);
      NoteTraffic();
      break;
    }
    case DataEvent::Kind::kReactivate: {
      bool waiting;
      {
        absl::MutexLock lock(&data_mutex_);
        waiting = !waiting_for_activation_.empty();
      }
      if (waiting && !RequestActivation()) DropSessionPackets();
      break;
    }
  }
  return true;
}

bool Instance::IsLocalId(const net::IpAddress& address) const {
  absl::ReaderMutexLock lock(&ids_mutex_);
  return local_ids_.contains(address);
}

void Instance::HandleOutbound(uint32_t slot, InstanceState state) {
  PacketSlot& packet = slots_[slot];
  absl::StatusOr<IpPacketInfo> info =
      ParseIpPacket(absl::MakeConstSpan(packet.data.get(), packet.size));
  absl::StatusOr<net::IpAddress> source =
      info.ok() ? net::IpAddress::FromBytes(info->source) : info.status();
  absl::StatusOr<net::IpAddress> destination =
      info.ok() ? net::IpAddress::FromBytes(info->destination) : info.status();
  if (!info.ok() || !source.ok() || !destination.ok()) {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.drops_malformed;
    free_slots_.push_back(slot);
    return;
  }
  if (!IsLocalId(*source)) {
    // Link-local chatter (MLD, router solicitations) and anything not sent
    // from a transport ID never reaches the provider.
    absl::MutexLock lock(&data_mutex_);
    ++stats_.drops_foreign_source;
    free_slots_.push_back(slot);
    return;
  }
  FillId(info->source, packet.local_bytes, &packet.local_id);
  FillId(info->destination, packet.remote_bytes, &packet.remote_id);
  packet.destination = *destination;
  packet.flow = FlowId(*info, flow_key_);
  if (state != InstanceState::kActive) return HandleWhileInactive(slot, state);

  bool query = false;
  {
    absl::MutexLock lock(&data_mutex_);
    std::vector<uint32_t> dropped;
    switch (reach_.Find(*destination, context_->clock.Now())) {
      case ReachCache::Answer::kReachable:
        break;
      case ReachCache::Answer::kUnreachable:
        ++stats_.drops_unreachable;
        free_slots_.push_back(slot);
        return;
      case ReachCache::Answer::kUnknown:
        if (!reach_.StartQuery(*destination, context_->clock.Now())) {
          ++stats_.drops_queue_overflow;
          free_slots_.push_back(slot);
          return;
        }
        query = true;
        [[fallthrough]];
      case ReachCache::Answer::kPending:
        reach_.Enqueue(*destination, slot, &dropped);
        stats_.drops_queue_overflow += dropped.size();
        free_slots_.insert(free_slots_.end(), dropped.begin(), dropped.end());
        slot = UINT32_MAX;  // Queued: sent when REACH answers.
        break;
    }
  }
  if (query) IssueReach(*destination);
  if (slot != UINT32_MAX) Send(slot);
}

void Instance::HandleWhileInactive(uint32_t slot, InstanceState state) {
  bool wait = InSession(state);
  if (wait) {
    absl::MutexLock lock(&data_mutex_);
    waiting_for_activation_.push_back(slot);
    while (waiting_for_activation_.size() > kActivationQueueLimit) {
      free_slots_.push_back(waiting_for_activation_.front());
      waiting_for_activation_.pop_front();
      ++stats_.drops_queue_overflow;
    }
  } else {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.drops_inactive;
    free_slots_.push_back(slot);
    return;
  }
  if (state == InstanceState::kDormant && !RequestActivation()) {
    DropSessionPackets();  // 5.3: backing off after a failed activation.
  }
}

bool Instance::RequestActivation() {
  absl::MutexLock lock(&mutex_);
  if (state_ != InstanceState::kDormant) return true;  // Under way already.
  if (activation_queued_) return true;
  if (termination_.has_value() || !established_ ||
      context_->clock.Now() < activation_allowed_after_) {
    return false;
  }
  activation_queued_ = true;
  {
    absl::MutexLock data_lock(&data_mutex_);
    ++stats_.activations;
  }
  Enqueue({OpKind::kActivate, {}});
  return true;
}

void Instance::OnActivationResult(bool active) {
  std::vector<uint32_t> waiting;
  {
    absl::MutexLock lock(&data_mutex_);
    waiting.assign(waiting_for_activation_.begin(),
                   waiting_for_activation_.end());
    waiting_for_activation_.clear();
    if (!active) {
      // 5.3: the traffic that triggered a failed activation is dropped.
      stats_.drops_inactive += waiting.size();
      free_slots_.insert(free_slots_.end(), waiting.begin(), waiting.end());
      return;
    }
  }
  if (!waiting.empty())
    PostData({DataEvent::Kind::kPackets, std::move(waiting)});
}

void Instance::IssueReach(const net::IpAddress& destination) {
  ReachQuery* query;
  {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.reach_queries;
    std::unique_ptr<ReachQuery>& owned = reach_queries_[destination];
    if (owned == nullptr) owned = std::make_unique<ReachQuery>();
    query = owned.get();
  }
  FillId(destination.bytes(), query->bytes, &query->id);
  uint64_t sequence = BeginOp(OpKind::kReach, 0, destination);
  if (!BeginDataCallback()) {
    FinishCall(sequence, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
    FinishReach(destination, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
    return;
  }
  HRESULT returned = callbacks_.reachTransportId(
      handle_, user_context_, &query->id, ContextFor(sequence),
      PlatformCompletionRoutine());
  EndDataCallback();
  CallResult call = FinishCall(sequence, returned);
  if (!call.pended) FinishReach(destination, call.status);
}

void Instance::FinishReach(const net::IpAddress& destination, HRESULT status) {
  bool reachable = SUCCEEDED(status);
  bool send = false;
  {
    absl::MutexLock lock(&data_mutex_);
    std::vector<uint32_t> queued =
        reach_.Complete(destination, reachable, context_->clock.Now());
    if (reachable) {
      ready_to_send_.insert(ready_to_send_.end(), queued.begin(), queued.end());
      send = !queued.empty();
    } else {
      stats_.drops_unreachable += queued.size();
      free_slots_.insert(free_slots_.end(), queued.begin(), queued.end());
    }
  }
  // Sent from the data thread, never from the provider's completion.
  if (send) PostData({DataEvent::Kind::kSendQueued, {}});
}

void Instance::Send(uint32_t slot) {
  PacketSlot& packet = slots_[slot];
  packet.chain = {nullptr, static_cast<ULONG>(packet.size), packet.data.get()};
  const uint32_t generation = packet.send_generation =
      (packet.send_generation + 1) & ((1u << 23) - 1);
  // The timeout runs from the call, like every operation's (pending_ops.cc).
  packet.pended_at_ns.store(absl::ToUnixNanos(context_->clock.Now()));
  packet.timed_out.store(false);
  packet.send_state.store((1u << 30) | generation);  // kCalling
  if (!BeginDataCallback()) {
    packet.send_state.store(0);
    absl::MutexLock lock(&data_mutex_);
    ++stats_.drops_inactive;
    free_slots_.push_back(slot);
    return;
  }
  HRESULT returned = callbacks_.sendBuffers(
      handle_, user_context_, &packet.local_id, &packet.remote_id, packet.flow,
      &packet.chain, ContextForSend(slot, generation),
      PlatformCompletionRoutine());
  EndDataCallback();
  AfterSendCall(slot, generation, returned);
}

void Instance::FinishSend(uint32_t slot, HRESULT status) {
  absl::MutexLock lock(&data_mutex_);
  if (SUCCEEDED(status)) {
    ++stats_.packets_sent;
  } else {
    // 5.8: a failed SEND drops the packet and invalidates the REACH answer.
    ++stats_.send_failures;
    reach_.Invalidate(slots_[slot].destination);
  }
  free_slots_.push_back(slot);
}

void Instance::ReleaseSlots(absl::Span<const uint32_t> slots) {
  if (slots.empty()) return;
  absl::MutexLock lock(&data_mutex_);
  free_slots_.insert(free_slots_.end(), slots.begin(), slots.end());
}

void Instance::DropSessionPackets() {
  absl::MutexLock lock(&data_mutex_);
  std::vector<uint32_t> dropped = reach_.Clear();
  dropped.insert(dropped.end(), waiting_for_activation_.begin(),
                 waiting_for_activation_.end());
  dropped.insert(dropped.end(), ready_to_send_.begin(), ready_to_send_.end());
  waiting_for_activation_.clear();
  ready_to_send_.clear();
  stats_.drops_inactive += dropped.size();
  free_slots_.insert(free_slots_.end(), dropped.begin(), dropped.end());
}

absl::Status Instance::ValidateIndication(const CPNATFWT_TRANSPORT_ID* local,
                                          const CPNATFWT_TRANSPORT_ID* remote,
                                          const CPNATFWT_BUFFER* chain,
                                          absl::Span<uint8_t> scratch,
                                          absl::Span<const uint8_t>* packet) {
  if (local == nullptr || remote == nullptr || chain == nullptr) {
    return HresultError(E_POINTER, "NULL transport ID or buffer chain");
  }
  for (const CPNATFWT_TRANSPORT_ID* id : {local, remote}) {
    if ((id->size != 4 && id->size != 16) || id->transportId == nullptr) {
      return HresultError(E_INVALIDARG, "a transport ID has 4 or 16 bytes");
    }
  }
  if (!InSession(observed_state_.load())) {
    return HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                        "no established session");
  }
  net::IpAddress local_address =
      *net::IpAddress::FromBytes({local->transportId, local->size});
  if (!IsLocalId(local_address)) {
    return HresultError(HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
                        "localTransportId was not added to this instance");
  }
  absl::StatusOr<size_t> total = ChainLength(chain, kMaxIpPacket);
  if (!total.ok()) return WithHresult(total.status(), E_INVALIDARG);
  if (*total > context_->options.mtu) {
    return HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
                        "packet larger than the interface MTU");
  }
  if (chain->next == nullptr) {
    // One segment (the usual case): validated and written in place. The
    // provider owns the buffer for the whole call (7.2), and in the embedded
    // host (D1) it shares this process anyway.
    *packet = absl::MakeConstSpan(chain->buffer, chain->size);
  } else {
    *packet = absl::MakeConstSpan(scratch.data(), CopyChain(chain, scratch));
  }
  absl::StatusOr<IpPacketInfo> info = ParseIpPacket(*packet);
  if (!info.ok()) {
    return WithHresult(info.status(), HRESULT_FROM_WIN32(ERROR_INVALID_DATA));
  }
  auto equal = [](absl::Span<const uint8_t> a,
                  const CPNATFWT_TRANSPORT_ID* id) {
    return a.size() == id->size &&
           std::equal(a.begin(), a.end(), id->transportId);
  };
  if (!equal(info->destination, local) || !equal(info->source, remote)) {
    return HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
                        "packet addresses do not match its transport IDs");
  }
  return absl::OkStatus();
}

HRESULT InterfaceWriteHresult(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled
             ? HRESULT_FROM_WIN32(ERROR_INVALID_STATE)
             : HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES);
}

absl::Status Instance::IndicateReceived(const CPNATFWT_TRANSPORT_ID* local,
                                        const CPNATFWT_TRANSPORT_ID* remote,
                                        const CPNATFWT_BUFFER* chain) {
  // A chain of several segments is gathered into one scratch buffer per
  // thread; either way nothing is kept after the call, so the provider owns
  // its buffers again when this returns (7.2).
  thread_local std::vector<uint8_t> scratch(kMaxIpPacket);
  absl::Span<const uint8_t> packet;
  absl::Status status = ValidateIndication(local, remote, chain,
                                           absl::MakeSpan(scratch), &packet);
  if (status.ok()) {
    status = interface_->Write({&packet, 1});
    if (!status.ok())
      status = WithHresult(status, InterfaceWriteHresult(status));
  }
  if (!status.ok()) {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.indications_refused;
    return status;
  }
  packets_indicated_.fetch_add(1, std::memory_order_relaxed);
  NoteTraffic();
  return absl::OkStatus();
}

}  // namespace natfwt::cp
