// Copyright 2026 The natfwt Authors.
//
// Looking at natfwt's interface from inside a NAT lab, as a user would:
// unmodified `ping -6` run in a host (`natfwt lab exec`), and a node's
// `natfwt status --json` read back into a struct. Used by `natfwt lab demo`
// and the lab's interface tests.
//
//   NATFWT_ASSIGN_OR_RETURN(NodeView view, ReadNodeView(node));
//   const PeerView* peer = view.Peer(other.node_id);
//   NATFWT_ASSIGN_OR_RETURN(PingOutcome ping,
//       PingFromHost(lab, "alice", peer->transport_ids[0], {}));
//
// Linux only (the lab is). Thread-safety: the functions may be called from
// any thread.

#ifndef NATFWT_TOOLS_LAB_INTERFACE_CHECK_H_
#define NATFWT_TOOLS_LAB_INTERFACE_CHECK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_nodes.h"

namespace natfwt::lab {

// One peer in a node's status.
struct PeerView {
  std::string node_id;
  std::string state;  // "secure", "connecting", "failed", "known", ...
  std::string path;   // "direct", "relay" or "none".
  std::string local_candidate;
  std::string remote_candidate;
  std::optional<absl::Duration> setup;  // Session creation to secure.
  // When the current session became secure (tells sessions apart).
  std::optional<absl::Time> last_handshake;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  std::vector<std::string> transport_ids;
  bool online = false;
};

// A node's `status json`, the parts the demo and tests read.
struct NodeView {
  std::string node_id;
  bool rendezvous_connected = false;
  std::string interface_name;              // "" without an interface.
  std::string interface_state;             // "active", "dormant", ...
  std::vector<std::string> transport_ids;  // The interface's.
  std::vector<PeerView> peers;
  // "counters" (the node's) and "interface.counters" (the provider's).
  std::map<std::string, uint64_t> node_counters;
  std::map<std::string, uint64_t> interface_counters;

  // The peer with that node ID, or nullptr.
  const PeerView* Peer(absl::string_view node_id) const;
  uint64_t NodeCounter(absl::string_view name) const;
  uint64_t InterfaceCounter(absl::string_view name) const;
};

// Parses `natfwt status --json` output. Errors: kInvalidArgument for text
// that is not such a status.
absl::StatusOr<NodeView> ParseNodeView(absl::string_view json);

// Asks `node` for its status over its control socket (what `natfwt status
// --json --state-dir DIR` prints). Errors: those of AskNode; kUnavailable
// when the node answered with an error; those of ParseNodeView.
absl::StatusOr<NodeView> ReadNodeView(const LabNode& node);

struct PingOptions {
  int count = 5;
  absl::Duration interval = absl::Milliseconds(200);
  // ping's -w: it stops when `count` replies came or this passed.
  absl::Duration deadline = absl::Seconds(10);
};

struct PingOutcome {
  int transmitted = 0;
  int received = 0;
  // From just before ping started to its first reply (ping -D stamps): the
  // setup time of a cold path, as a user sees it.
  std::optional<absl::Duration> first_reply;
  std::vector<absl::Duration> rtts;  // Of each reply, in order.
  int exit_code = -1;
  std::string output;  // stdout and stderr, for messages.

  // The average RTT of the replies after the first (which waited for a
  // cold path's setup); the first's when it is the only one.
  std::optional<absl::Duration> WarmRtt() const;
};

// Runs `ping -6 -n -D -c COUNT -i INTERVAL -w DEADLINE ADDRESS` (-4 for an
// IPv4 address) inside `host`'s namespace and reads its report. Errors:
// kFailedPrecondition without ping (iputils-ping); those of LabExecArgv and
// RunCommand. A ping without replies is no error (received == 0).
absl::StatusOr<PingOutcome> PingFromHost(const Lab& lab, absl::string_view host,
                                         const std::string& address,
                                         const PingOptions& options);

// Parses ping's output (see PingFromHost); `started` is the wall-clock
// time just before it ran. Pure, for tests.
PingOutcome ParsePingOutput(absl::string_view output, absl::Time started);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_INTERFACE_CHECK_H_
