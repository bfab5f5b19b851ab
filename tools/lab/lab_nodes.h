// Copyright 2026 The natfwt Authors.
//
// natfwt nodes inside a running NAT lab: one `natfwt up` per host, with its
// own identity under the lab's state directory, registered at the lab's
// rendezvous with the lab's STUN and TURN servers (TURN over UDP, TCP and
// TLS, so a UDP-blocked host relays over TCP), and helpers to talk to them
// through their control sockets. Used by `natfwt lab matrix`, the demo and
// the tests.
//
//   NATFWT_ASSIGN_OR_RETURN(LabNodes nodes, StartLabNodes(lab, options));
//   NATFWT_RETURN_IF_ERROR(nodes.WaitReady(absl::Seconds(20)));
//   ... ControlRequest(nodes.node("a").control_path, "ping ...") ...
//   nodes.Stop();
//
// Linux only (the lab is).

#ifndef NATFWT_TOOLS_LAB_LAB_NODES_H_
#define NATFWT_TOOLS_LAB_LAB_NODES_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/lab/lab.h"

namespace natfwt::lab {

struct LabNode {
  std::string host;
  std::string node_id;
  std::string state_dir;
  std::string control_path;
  std::string log_path;
  pid_t pid = -1;
  std::vector<std::string> argv;  // What started it (RestartNode).
};

struct LabNodeOptions {
  std::string natfwt_path;  // The natfwt binary.
  std::string network = "lab";
  // Hosts to run nodes on; empty: every host of the lab.
  std::vector<std::string> hosts;
  // Extra arguments for every `natfwt up` (e.g. "--no-interface").
  std::vector<std::string> extra_args;
  // Per host: the peers it talks to (its --allow values: node IDs, see
  // LabNodeId). Hosts not listed get "--allow any".
  std::map<std::string, std::vector<std::string>> allow;
  absl::Duration connect_timeout = absl::Seconds(20);
};

class LabNodes {
 public:
  LabNodes() = default;
  LabNodes(LabNodes&&) = default;
  LabNodes& operator=(LabNodes&&) = default;
  // Stops what is still running.
  ~LabNodes() { Stop(); }

  const std::vector<LabNode>& nodes() const { return nodes_; }
  // The node on `host`. Errors: kNotFound.
  absl::StatusOr<LabNode> node(absl::string_view host) const;

  // Waits until every node answers on its control socket, is registered at
  // the rendezvous, sees every other node online with a published standby
  // and has its own outbound standby ready. Errors:
  // kDeadlineExceeded naming the nodes that are not ready (with the end of
  // their logs); kUnavailable when a node exited.
  absl::Status WaitReady(absl::Duration timeout) const;

  // Waits until `from` has its outbound standby ready and holds `to`'s
  // published standby (a session from `from` to `to` would start warm;
  // engine/node/node.h). Errors: kDeadlineExceeded.
  static absl::Status WaitWarm(const LabNode& from, const LabNode& to,
                               absl::Duration timeout);

  // SIGTERM to every node, then waits for each (SIGKILL after 5 s).
  // Returns the nodes that did not exit with 0 (empty: all clean).
  std::vector<std::string> Stop();

  // SIGTERM to the node on `host` and waits for it (SIGKILL after 5 s).
  // Errors: kNotFound; kFailedPrecondition when it is not running;
  // kInternal when it did not exit with 0 (its log's end in the message).
  absl::Status StopNode(absl::string_view host);
  // Starts the node on `host` again with the same arguments and state
  // directory: the same identity and, through the interface LUID kept
  // there, the same interface and transport IDs. Errors: kNotFound;
  // kFailedPrecondition when it is running; those of SpawnDetached.
  absl::Status RestartNode(absl::string_view host);

  // Forgets the nodes without stopping them (they keep running in the
  // lab's namespaces until `natfwt lab down`).
  void Detach() { nodes_.clear(); }

 private:
  friend absl::StatusOr<LabNodes> StartLabNodes(const Lab& lab,
                                                const LabNodeOptions& options);
  std::vector<LabNode> nodes_;
};

// The node ID of `host`'s node: its identity under the lab's state
// directory, created on first use (so allow lists can name nodes before
// they start). Errors: those of secure::Identity::LoadOrCreate.
absl::StatusOr<std::string> LabNodeId(const Lab& lab, absl::string_view host);

// Creates each node's identity (<lab state dir>/nodes/<host>) and starts
// `natfwt up` in the host's namespace, detached, logging to
// <state dir>/node.log. Errors: kInvalidArgument (unknown host, no binary);
// those of LabExecArgv and SpawnDetached; identity errors.
absl::StatusOr<LabNodes> StartLabNodes(const Lab& lab,
                                       const LabNodeOptions& options);

// Sends one control request to `node`; returns the exit code and the output
// lines (stdout and stderr, in order). Errors: those of ControlRequest.
struct ControlReply {
  int exit_code = 0;
  std::vector<std::string> lines;
};
absl::StatusOr<ControlReply> AskNode(const LabNode& node,
                                     absl::string_view request);

// The last `lines` lines of a file (for error messages).
std::string Tail(const std::string& path, int lines);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_LAB_NODES_H_
