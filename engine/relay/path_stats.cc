// Copyright 2026 The natfwt Authors.

#include "engine/relay/path_stats.h"

namespace natfwt::relay {

absl::string_view DropReasonName(DropReason reason) {
  static constexpr absl::string_view kNames[kDropReasonCount] = {
      "truncated",      "dtls",
      "turn-channel",   "rtp",
      "zrtp",           "unknown-class",
      "malformed-stun", "unexpected-source",
      "open-malformed", "open-authentication",
      "open-replay",    "open-no-key",
      "open-other",     "control-queue-full",
      "oversize",       "no-room",
      "seal-refused",   "send-error",
      "stopped",
  };
  size_t index = static_cast<size_t>(reason);
  return index < kDropReasonCount ? kNames[index] : "invalid";
}

DropReason OpenDropReason(Verdict verdict) {
  switch (verdict) {
    case Verdict::kMalformed:
    case Verdict::kNoRoom:
      return DropReason::kOpenMalformed;
    case Verdict::kAuthentication:
      return DropReason::kOpenAuthentication;
    case Verdict::kReplay:
      return DropReason::kOpenReplay;
    case Verdict::kNoKey:
      return DropReason::kOpenNoKey;
    case Verdict::kPass:
    case Verdict::kOther:
      break;
  }
  return DropReason::kOpenOther;
}

uint64_t PathStats::total_dropped() const {
  uint64_t total = 0;
  for (uint64_t n : drops) total += n;
  return total;
}

PathStats PathCounters::Snapshot() const {
  auto get = [this](Field field) {
    return fields_[field].load(std::memory_order_relaxed);
  };
  PathStats stats;
  stats.packets_sent = get(kPacketsSent);
  stats.bytes_sent = get(kBytesSent);
  stats.wire_bytes_sent = get(kWireBytesSent);
  stats.packets_received = get(kPacketsReceived);
  stats.bytes_received = get(kBytesReceived);
  stats.datagrams_received = get(kDatagramsReceived);
  stats.wire_bytes_received = get(kWireBytesReceived);
  stats.control_received = get(kControlReceived);
  stats.control_sent = get(kControlSent);
  stats.send_calls = get(kSendCalls);
  stats.receive_calls = get(kReceiveCalls);
  stats.gso_messages = get(kGsoMessages);
  stats.gso_segments = get(kGsoSegments);
  stats.gro_messages = get(kGroMessages);
  stats.gro_segments = get(kGroSegments);
  stats.receive_errors = get(kReceiveErrors);
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    stats.drops[i] = drops_[i].load(std::memory_order_relaxed);
  }
  return stats;
}

}  // namespace natfwt::relay
