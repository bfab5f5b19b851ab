// Copyright 2026 The natfwt Authors.

#include "engine/relay/data_path.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <utility>

#include "absl/strings/str_cat.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::relay {
namespace {

constexpr size_t kCacheLine = 64;
// A GRO receive slot: the largest coalesced message (64 KiB).
constexpr size_t kGroSlotBytes = 65536;
// Segments one GRO message carries at most (Linux UDP_GRO_CNT_MAX); only
// sizes the open batch, which is flushed early when full anyway.
constexpr size_t kGroSegmentsPerSlot = 64;
// Receive errors in a row (other than would-block) after which the data
// thread gives up: the socket is broken, not busy (wireguard-go
// "deathSpiral"). Implementation choice.
constexpr int kMaxConsecutiveReceiveErrors = 100;

size_t RoundUp(size_t n) {
  return (n + kCacheLine - 1) / kCacheLine * kCacheLine;
}

absl::Status CheckRange(const char* name, size_t value, size_t low,
                        size_t high) {
  if (value >= low && value <= high) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, " ", value, " not in ", low, "..", high));
}

absl::Status CheckOptions(const net::UdpSocket* socket,
                          const DirectPathOptions& options) {
  if (socket == nullptr) return absl::InvalidArgumentError("no socket");
  if (options.transform == nullptr || options.sink == nullptr) {
    return absl::InvalidArgumentError("transform and sink are required");
  }
  if (options.remote.port == 0) {
    return absl::InvalidArgumentError("remote port 0");
  }
  if (options.classifier == nullptr) {
    return absl::InvalidArgumentError("no classifier");
  }
  size_t overhead =
      options.transform->seal_headroom() + options.transform->seal_tailroom();
  if (overhead >= net::UdpSocket::kMaxUdpPayload) {
    return absl::InvalidArgumentError("transform overhead too large");
  }
  NATFWT_RETURN_IF_ERROR(CheckRange("max_packet_bytes",
                                    options.max_packet_bytes, 1,
                                    net::UdpSocket::kMaxUdpPayload - overhead));
  NATFWT_RETURN_IF_ERROR(CheckRange("receive_slots", options.receive_slots, 1,
                                    net::UdpSocket::kMaxBatch));
  NATFWT_RETURN_IF_ERROR(CheckRange("gro_receive_slots",
                                    options.gro_receive_slots, 1,
                                    net::UdpSocket::kMaxBatch));
  NATFWT_RETURN_IF_ERROR(
      CheckRange("control_queue_depth", options.control_queue_depth, 1, 4096));
  return CheckRange("control_message_bytes", options.control_message_bytes, 20,
                    BufferPool::kMaxBufferBytes);
}

// The drop reason for a datagram of a class the data path does not take.
DropReason DropForClass(PacketClass packet_class) {
  switch (packet_class) {
    case PacketClass::kDtls:
      return DropReason::kDtls;
    case PacketClass::kTurnChannel:
      return DropReason::kTurnChannel;
    case PacketClass::kRtp:
      return DropReason::kRtp;
    case PacketClass::kZrtp:
      return DropReason::kZrtp;
    case PacketClass::kStun:
    case PacketClass::kNatfwtData:
    case PacketClass::kUnknown:
      break;
  }
  return DropReason::kUnknownClass;
}

std::unique_ptr<uint8_t[]> AllocateBytes(size_t bytes) {
  return std::unique_ptr<uint8_t[]>(new (std::nothrow) uint8_t[bytes]);
}

}  // namespace

// What one receive batch did; added to the counters in one go.
struct DirectPath::ReceiveTally {
  uint64_t datagrams = 0;
  uint64_t wire_bytes = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t control = 0;
  uint64_t gro_messages = 0;
  uint64_t gro_segments = 0;
  std::array<uint64_t, kDropReasonCount> drops{};

  void Drop(DropReason reason) { ++drops[static_cast<size_t>(reason)]; }
};

// ---- lifetime ----

absl::StatusOr<std::unique_ptr<DirectPath>> DirectPath::Start(
    std::unique_ptr<net::UdpSocket> socket, DirectPathOptions options) {
  NATFWT_RETURN_IF_ERROR(CheckOptions(socket.get(), options));
  std::unique_ptr<DirectPath> path(
      new DirectPath(std::move(socket), std::move(options)));
  NATFWT_RETURN_IF_ERROR(path->Allocate());
  path->thread_ = std::thread([raw = path.get()] { raw->Run(); });
  NATFWT_LOG(kInfo) << "direct path " << path->local().ToString() << " -> "
                    << path->remote_.ToString() << " started (GSO "
                    << (path->gso_enabled() ? "on" : "off") << ", GRO "
                    << (path->gro_enabled() ? "on" : "off") << ")";
  return path;
}

DirectPath::DirectPath(std::unique_ptr<net::UdpSocket> socket,
                       DirectPathOptions options)
    : socket_(std::move(socket)),
      options_(std::move(options)),
      remote_(options_.remote) {}

DirectPath::~DirectPath() { Stop(); }

absl::Status DirectPath::Allocate() {
  const PacketTransform& transform = *options_.transform;
  const size_t sealed_max = options_.max_packet_bytes +
                            transform.seal_headroom() +
                            transform.seal_tailroom();
  const bool gro = socket_->gro_enabled();
  const size_t slot_count =
      gro ? options_.gro_receive_slots : options_.receive_slots;
  const size_t slot_bytes =
      gro ? kGroSlotBytes
          : RoundUp(std::max(sealed_max, options_.control_message_bytes));
  receive_storage_ = AllocateBytes(slot_count * slot_bytes);
  {
    absl::MutexLock lock(&send_mu_);
    staging_stride_ = RoundUp(sealed_max);
    staging_ = AllocateBytes(kSendChunk * staging_stride_);
    if (staging_ == nullptr) {
      return absl::ResourceExhaustedError("cannot allocate send buffers");
    }
  }
  if (receive_storage_ == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate receive buffers");
  }
  slots_.resize(slot_count);
  for (size_t i = 0; i < slot_count; ++i) {
    slots_[i].buffer = receive_storage_.get() + i * slot_bytes;
    slots_[i].capacity = slot_bytes;
  }
  size_t open_capacity = gro ? slot_count * kGroSegmentsPerSlot : slot_count;
  open_batch_.resize(open_capacity);
  open_verdicts_.resize(open_capacity);
  NATFWT_ASSIGN_OR_RETURN(
      control_pool_, BufferPool::Create({options_.control_queue_depth,
                                         options_.control_message_bytes, 0}));
  absl::MutexLock lock(&control_mu_);
  control_ring_.resize(options_.control_queue_depth);
  return absl::OkStatus();
}

void DirectPath::Stop() {
  absl::MutexLock lock(&stop_mu_);
  if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) {
    NATFWT_LOG(kError) << "DirectPath::Stop() called from its data thread";
    return;
  }
  stopping_.store(true, std::memory_order_release);
  socket_->Wake();  // Latched: the data thread and blocked senders return.
  if (thread_.joinable()) thread_.join();
}

// ---- receive (data thread) ----

void DirectPath::Run() {
  int consecutive_errors = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    net::ReceiveResult result = socket_->ReceiveBatch(absl::MakeSpan(slots_));
    net::IoError error = result.error;
    if (error == net::IoError::kWouldBlock) {
      net::WaitResult wait = socket_->WaitReadable();
      if (wait == net::WaitResult::kWoken) break;
      if (wait != net::WaitResult::kError) continue;
      error = net::IoError::kOther;  // poll(2) failed or POLLERR: count it.
    }
    if (error != net::IoError::kOk) {
      if (!TolerateReceiveError(error, consecutive_errors)) return;
      continue;
    }
    consecutive_errors = 0;
    ReceiveTally tally;
    control_queued_ = false;
    ProcessMessages(result.messages, tally);
    counters_.Add(PathCounters::kReceiveCalls, 1);
    if (control_queued_ && options_.on_control) options_.on_control();
  }
}

bool DirectPath::TolerateReceiveError(net::IoError error,
                                      int& consecutive_errors) {
  counters_.Add(PathCounters::kReceiveErrors, 1);
  // An ICMP error reported on the socket (IP_RECVERR) is about one packet
  // sent earlier, not about the socket: count it and go on.
  if (error == net::IoError::kUnreachable) return true;
  if (++consecutive_errors < kMaxConsecutiveReceiveErrors) return true;
  NATFWT_LOG(kError) << "direct path " << local().ToString()
                     << ": receive failed " << consecutive_errors
                     << " times in a row (" << net::IoErrorName(error)
                     << "); stopping";
  failed_.store(true, std::memory_order_release);
  return false;
}

void DirectPath::ProcessMessages(size_t count, ReceiveTally& tally) {
  for (size_t i = 0; i < count; ++i) {
    const net::IncomingMessage& message = slots_[i];
    if (message.truncated) {
      ++tally.datagrams;
      tally.wire_bytes += message.size;
      tally.Drop(DropReason::kTruncated);
      continue;
    }
    const size_t segments = message.segment_count();
    if (segments > 1) {
      ++tally.gro_messages;
      tally.gro_segments += segments;
    }
    for (size_t s = 0; s < segments; ++s) {
      Dispatch(message.segment(s), message.source, tally);
    }
  }
  FlushOpen(tally);  // Before the slots are read into again.
}

void DirectPath::Dispatch(absl::Span<uint8_t> datagram,
                          const net::UdpEndpoint& source, ReceiveTally& tally) {
  ++tally.datagrams;
  tally.wire_bytes += datagram.size();
  const PacketClass packet_class = options_.classifier(datagram);
  if (packet_class == PacketClass::kNatfwtData) {
    if (source != remote_) {
      tally.Drop(DropReason::kUnexpectedSource);
      return;
    }
    open_batch_[open_count_++] = PacketSpan{datagram.data(), datagram.size()};
    if (open_count_ == open_batch_.size()) FlushOpen(tally);
    return;
  }
  if (packet_class == PacketClass::kStun) {
    if (IsPlausibleStun(datagram)) {
      EnqueueControl(datagram, source, tally);
    } else {
      tally.Drop(DropReason::kMalformedStun);
    }
    return;
  }
  tally.Drop(DropForClass(packet_class));
}

void DirectPath::FlushOpen(ReceiveTally& tally) {
  absl::Span<PacketSpan> batch(open_batch_.data(), open_count_);
  absl::Span<Verdict> verdicts(open_verdicts_.data(), open_count_);
  open_count_ = 0;
  if (!batch.empty()) options_.transform->OpenBatch(batch, verdicts);
  size_t kept = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (verdicts[i] != Verdict::kPass) {
      tally.Drop(OpenDropReason(verdicts[i]));
      continue;
    }
    tally.bytes += batch[i].size;
    batch[kept++] = batch[i];
  }
  tally.packets += kept;
  // Counters first: whoever sees the packets sees them counted.
  Commit(tally);
  tally = ReceiveTally{};
  if (kept > 0) options_.sink->OnPackets(batch.first(kept));
}

void DirectPath::EnqueueControl(absl::Span<const uint8_t> message,
                                const net::UdpEndpoint& source,
                                ReceiveTally& tally) {
  BufferPool::BufferId id;
  if (message.size() > control_pool_->buffer_bytes() ||
      control_pool_->TryAcquire(absl::MakeSpan(&id, 1)) == 0) {
    tally.Drop(DropReason::kControlQueueFull);
    return;
  }
  std::memcpy(control_pool_->data(id), message.data(), message.size());
  {
    absl::MutexLock lock(&control_mu_);
    // The pool holds as many buffers as the ring has entries: never full.
    size_t tail = (control_head_ + control_count_) % control_ring_.size();
    control_ring_[tail] =
        ControlEntry{id, static_cast<uint32_t>(message.size()), source};
    ++control_count_;
  }
  ++tally.control;
  control_queued_ = true;
}

void DirectPath::Commit(const ReceiveTally& tally) {
  counters_.Add(PathCounters::kDatagramsReceived, tally.datagrams);
  counters_.Add(PathCounters::kWireBytesReceived, tally.wire_bytes);
  counters_.Add(PathCounters::kPacketsReceived, tally.packets);
  counters_.Add(PathCounters::kBytesReceived, tally.bytes);
  counters_.Add(PathCounters::kControlReceived, tally.control);
  counters_.Add(PathCounters::kGroMessages, tally.gro_messages);
  counters_.Add(PathCounters::kGroSegments, tally.gro_segments);
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    counters_.AddDrops(static_cast<DropReason>(i), tally.drops[i]);
  }
}

size_t DirectPath::DrainControl(
    absl::FunctionRef<void(absl::Span<const uint8_t>, const net::UdpEndpoint&)>
        handler) {
  size_t handled = 0;
  while (true) {
    ControlEntry entry;
    {
      absl::MutexLock lock(&control_mu_);
      if (control_count_ == 0) break;
      entry = control_ring_[control_head_];
      control_head_ = (control_head_ + 1) % control_ring_.size();
      --control_count_;
    }
    handler(absl::MakeConstSpan(control_pool_->data(entry.id), entry.size),
            entry.source);
    control_pool_->Release(absl::MakeConstSpan(&entry.id, 1));
    ++handled;
  }
  return handled;
}

// ---- send (any thread) ----

size_t DirectPath::Send(absl::Span<const absl::Span<const uint8_t>> packets) {
  absl::MutexLock lock(&send_mu_);
  const size_t headroom = options_.transform->seal_headroom();
  std::array<PacketSpan, kSendChunk> staged;
  size_t sent = 0;
  size_t next = 0;
  while (next < packets.size()) {
    size_t count = 0;
    uint64_t oversize = 0;
    for (; next < packets.size() && count < kSendChunk; ++next) {
      absl::Span<const uint8_t> packet = packets[next];
      if (packet.size() > options_.max_packet_bytes) {
        ++oversize;
        continue;
      }
      uint8_t* base = staging_.get() + count * staging_stride_;
      staged[count] = PacketSpan{base + headroom, packet.size(), headroom,
                                 staging_stride_ - headroom - packet.size()};
      if (!packet.empty()) {
        std::memcpy(base + headroom, packet.data(), packet.size());
      }
      ++count;
    }
    counters_.AddDrops(DropReason::kOversize, oversize);
    sent += SealAndSendLocked(absl::MakeSpan(staged.data(), count));
  }
  return sent;
}

size_t DirectPath::SendInPlace(absl::Span<PacketSpan> packets) {
  absl::MutexLock lock(&send_mu_);
  size_t sent = 0;
  for (size_t next = 0; next < packets.size(); next += kSendChunk) {
    size_t count = std::min(kSendChunk, packets.size() - next);
    sent += SealAndSendLocked(packets.subspan(next, count));
  }
  return sent;
}

size_t DirectPath::SealAndSendLocked(absl::Span<PacketSpan> packets) {
  if (packets.empty()) return 0;
  if (stopping_.load(std::memory_order_acquire)) {
    counters_.AddDrops(DropReason::kStopped, packets.size());
    return 0;
  }
  std::array<size_t, kSendChunk> plaintext_sizes;
  std::array<Verdict, kSendChunk> verdicts;
  for (size_t i = 0; i < packets.size(); ++i) {
    plaintext_sizes[i] = packets[i].size;
  }
  options_.transform->SealBatch(
      packets, absl::MakeSpan(verdicts.data(), packets.size()));
  std::array<net::OutgoingDatagram, kSendChunk> datagrams;
  size_t count = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (verdicts[i] != Verdict::kPass) {
      counters_.AddDrops(verdicts[i] == Verdict::kNoRoom
                             ? DropReason::kNoRoom
                             : DropReason::kSealRefused,
                         1);
      continue;
    }
    datagrams[count] =
        net::OutgoingDatagram{packets[i].data, packets[i].size, remote_};
    plaintext_sizes[count++] = plaintext_sizes[i];
  }
  return SendDatagramsLocked(
      absl::MakeConstSpan(datagrams.data(), count),
      absl::MakeConstSpan(plaintext_sizes.data(), count));
}

size_t DirectPath::SendDatagramsLocked(
    absl::Span<const net::OutgoingDatagram> datagrams,
    absl::Span<const size_t> plaintext_sizes) {
  size_t next = 0;
  uint64_t bytes = 0, wire_bytes = 0, calls = 0, gso_messages = 0,
           gso_segments = 0, sent = 0;
  while (next < datagrams.size()) {
    net::SendResult result = socket_->SendBatch(datagrams.subspan(next));
    calls += result.calls;
    gso_messages += result.segmented;
    gso_segments += result.sent - result.messages + result.segmented;
    for (size_t k = next; k < next + result.sent; ++k) {
      bytes += plaintext_sizes[k];
      wire_bytes += datagrams[k].size;
    }
    sent += result.sent;
    next += result.sent;
    if (result.error == net::IoError::kOk) break;
    if (result.error == net::IoError::kWouldBlock) {
      net::WaitResult wait = socket_->WaitWritable();
      if (wait == net::WaitResult::kReady) continue;
      counters_.AddDrops(wait == net::WaitResult::kWoken
                             ? DropReason::kStopped
                             : DropReason::kSendError,
                         datagrams.size() - next);
      break;
    }
    counters_.AddDrops(DropReason::kSendError, 1);  // Skip it, go on.
    ++next;
  }
  counters_.Add(PathCounters::kPacketsSent, sent);
  counters_.Add(PathCounters::kBytesSent, bytes);
  counters_.Add(PathCounters::kWireBytesSent, wire_bytes);
  counters_.Add(PathCounters::kSendCalls, calls);
  counters_.Add(PathCounters::kGsoMessages, gso_messages);
  counters_.Add(PathCounters::kGsoSegments, gso_segments);
  return sent;
}

absl::Status DirectPath::SendControl(absl::Span<const uint8_t> datagram,
                                     const net::UdpEndpoint& destination) {
  if (datagram.empty()) return absl::InvalidArgumentError("empty datagram");
  if (stopping_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError("direct path stopped");
  }
  net::OutgoingDatagram out{datagram.data(), datagram.size(), destination};
  net::SendResult result = socket_->SendBatch(absl::MakeConstSpan(&out, 1));
  if (result.sent == 1) {
    counters_.Add(PathCounters::kControlSent, 1);
    return absl::OkStatus();
  }
  std::string what = absl::StrCat("send to ", destination.ToString(), ": ",
                                  net::IoErrorName(result.error));
  switch (result.error) {
    case net::IoError::kWouldBlock:
    case net::IoError::kNoBuffers:
      return absl::UnavailableError(what);
    case net::IoError::kInvalidArgument:
    case net::IoError::kMessageTooBig:
      return absl::InvalidArgumentError(what);
    default:
      return absl::InternalError(what);
  }
}

}  // namespace natfwt::relay
