// Copyright 2026 The natfwt Authors.
//
// How `natfwt status` and `natfwt ping` print what the node reports: text
// for people, JSON for programs. Pure functions of the node's structures.

#ifndef NATFWT_TOOLS_NATFWT_NODE_RENDER_H_
#define NATFWT_TOOLS_NATFWT_NODE_RENDER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/node/node.h"
#include "engine/provider/ice_provider.h"

namespace natfwt::cli {

// The node's Connectivity Platform interface, as `natfwt status` shows it.
struct InterfaceReport {
  // While the ICE provider exists (also after the CP ended its session).
  std::optional<provider::IceProviderStatus> provider;
  // Why there is none ("--no-interface", "no CAP_NET_ADMIN ..."). Both
  // empty: nothing is reported.
  std::string absent_reason;
};

// Several lines, no trailing newline needed. Each peer with transport IDs
// gets an "owns ..." line (they route to the interface).
std::string RenderStatusText(const node::NodeStatus& status,
                             absl::Time now = absl::Now(),
                             const InterfaceReport& interface = {});
// One JSON object on one line:
// {"node_id", "network", "rendezvous", "rendezvous_connected",
//  "transport_ids": [..], "nat", "allow": [..],
//  "interface": null | {"state": "none", "reason"} |
//               {"name", "friendly_name", "luid", "state", "termination",
//                "transport_ids": [..], "counters": {...}},
//  "peers": [{"node_id", "state", "initiator", "path", "local_candidate",
//             "remote_candidate", "rtt_ms"|null, "packets_sent",
//             "packets_received", "bytes_sent", "bytes_received",
//             "last_handshake_unix_ms"|null, "setup_ms"|null,
//             "transport_ids": [..], "online"}],
//  "counters": {...}}
std::string RenderStatusJson(const node::NodeStatus& status,
                             const InterfaceReport& interface = {});

// "reply from 3fa2c1d4e5f6: seq=1 time=1.23 ms via direct (srflx udp
// 198.18.0.2:40000) [session set up in 120.0 ms]" or the failure.
std::string RenderPingReply(absl::string_view peer,
                            const node::PingReply& reply);

// Collects a ping run's replies.
class PingSummary {
 public:
  explicit PingSummary(std::string peer) : peer_(std::move(peer)) {}
  void Add(const node::PingReply& reply) { replies_.push_back(reply); }
  int received() const;
  // "4 pings, 4 replies, 0% loss, rtt min/avg/max 0.8/1.0/1.3 ms".
  std::string Text() const;
  // {"peer", "sent", "received", "setup_ms"|null,
  //  "replies": [{"seq", "ok", "rtt_ms", "path", "remote", "error"}],
  //  "rtt_ms": {"min", "avg", "max"}|null}
  std::string Json() const;

 private:
  std::string peer_;
  std::vector<node::PingReply> replies_;
};

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_NODE_RENDER_H_
