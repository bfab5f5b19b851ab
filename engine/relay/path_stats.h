// Copyright 2026 The natfwt Authors.
//
// Statistics of one DirectPath: packets and bytes each way, batching and
// offload figures, and drops by reason (style C5: hot-path errors are
// counters). All counters are monotonic since the path started.
//
// PathStats is a plain snapshot; PathCounters (internal to the relay) holds
// the live atomics the data thread and senders update once per batch.

#ifndef NATFWT_ENGINE_RELAY_PATH_STATS_H_
#define NATFWT_ENGINE_RELAY_PATH_STATS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "engine/relay/transform.h"

namespace natfwt::relay {

// Why a packet was dropped. Receive side first, then send side.
enum class DropReason : uint8_t {
  // Receive: before classification.
  kTruncated,  // Longer than the receive buffer (MSG_TRUNC).
  // Receive: by class (demux.h), not for the data path.
  kDtls,
  kTurnChannel,
  kRtp,
  kZrtp,
  kUnknownClass,      // Unassigned first byte or empty datagram.
  kMalformedStun,     // First byte 0-3 but no STUN header (IsPlausibleStun).
  kUnexpectedSource,  // natfwt data from an endpoint other than the remote.
  // Receive: OpenBatch verdicts.
  kOpenMalformed,
  kOpenAuthentication,
  kOpenReplay,
  kOpenNoKey,
  kOpenOther,
  // Receive: the control queue was full (or the STUN message too long).
  kControlQueueFull,
  // Send.
  kOversize,     // Send(): longer than max_packet_bytes.
  kNoRoom,       // SendInPlace(): less room than the transform needs.
  kSealRefused,  // SealBatch gave a verdict other than kPass.
  kSendError,    // The kernel refused the datagram (not would-block).
  kStopped,      // The path was stopped before the packet went out.
  kCount,
};
inline constexpr size_t kDropReasonCount =
    static_cast<size_t>(DropReason::kCount);

// "truncated", "dtls", ... (kebab-case, stable: used as metric labels).
absl::string_view DropReasonName(DropReason reason);

// The drop reason for an OpenBatch verdict other than kPass.
DropReason OpenDropReason(Verdict verdict);

struct PathStats {
  // Plaintext packets accepted by Send()/SendInPlace() that reached the
  // kernel, their plaintext bytes and their datagram (wire) bytes.
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t wire_bytes_sent = 0;
  // Data packets opened and delivered to the sink, their plaintext bytes.
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;
  // Every datagram read from the socket (all classes) and its bytes.
  uint64_t datagrams_received = 0;
  uint64_t wire_bytes_received = 0;
  // STUN messages queued for the engine, and control datagrams it sent.
  uint64_t control_received = 0;
  uint64_t control_sent = 0;
  // Batching: sendmmsg calls, and recvmmsg calls that returned data.
  uint64_t send_calls = 0;
  uint64_t receive_calls = 0;
  // GSO: kernel messages that carried more than one datagram, and the
  // datagrams that rode in them. GRO: the same for received messages.
  uint64_t gso_messages = 0;
  uint64_t gso_segments = 0;
  uint64_t gro_messages = 0;
  uint64_t gro_segments = 0;
  // Receive errors other than would-block (the data thread stops after a
  // run of them: DirectPath::failed()).
  uint64_t receive_errors = 0;
  std::array<uint64_t, kDropReasonCount> drops{};

  uint64_t dropped(DropReason reason) const {
    return drops[static_cast<size_t>(reason)];
  }
  uint64_t total_dropped() const;
};

// The live counters behind PathStats. Relaxed atomics: each field is exact,
// a snapshot is not one instant across fields. Thread-safe.
class PathCounters {
 public:
  enum Field : uint8_t {
    kPacketsSent,
    kBytesSent,
    kWireBytesSent,
    kPacketsReceived,
    kBytesReceived,
    kDatagramsReceived,
    kWireBytesReceived,
    kControlReceived,
    kControlSent,
    kSendCalls,
    kReceiveCalls,
    kGsoMessages,
    kGsoSegments,
    kGroMessages,
    kGroSegments,
    kReceiveErrors,
    kFieldCount,
  };

  void Add(Field field, uint64_t n) {
    if (n != 0) fields_[field].fetch_add(n, std::memory_order_relaxed);
  }
  void AddDrops(DropReason reason, uint64_t n) {
    if (n != 0) {
      drops_[static_cast<size_t>(reason)].fetch_add(n,
                                                    std::memory_order_relaxed);
    }
  }
  PathStats Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kFieldCount> fields_{};
  std::array<std::atomic<uint64_t>, kDropReasonCount> drops_{};
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_PATH_STATS_H_
