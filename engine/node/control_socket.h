// Copyright 2026 The natfwt Authors.
//
// The node's local control socket: how `natfwt status` and `natfwt ping`
// talk to a running `natfwt up`.
//
// A Unix stream socket, created with mode 0600 in a directory the owner
// alone may enter (the node's state directory, 0700). The server also checks
// each connection's peer credentials (SO_PEERCRED): only the node's own user
// and root are served.
//
// Protocol, one request per connection:
//   client: one line, at most 1024 bytes: words separated by single spaces
//           ("status json", "ping <node id> <count> <interval ms>
//           <timeout ms> [json]").
//   server: any number of lines "o <text>" (for the client's stdout) and
//           "e <text>" (stderr), then "x <exit code>" and close.
// A request the handler does not know gets "e ..." and "x 2".
//
// Thread-safety: ControlServer runs its own accept thread and one thread per
// connection (at most kMaxConnections at once; more are refused).

#ifndef NATFWT_ENGINE_NODE_CONTROL_SOCKET_H_
#define NATFWT_ENGINE_NODE_CONTROL_SOCKET_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natfwt::node {

inline constexpr size_t kMaxControlRequest = 1024;

// Where the handler writes its answer. Lines must not contain '\n'.
class ControlOutput {
 public:
  virtual ~ControlOutput() = default;
  // False when the client went away (stop working for it).
  virtual bool Out(absl::string_view line) = 0;
  virtual bool Err(absl::string_view line) = 0;
};

// Handles one request (split into words) and returns the exit code.
using ControlHandler =
    std::function<int(const std::vector<std::string>& words, ControlOutput&)>;

class ControlServer {
 public:
  static constexpr int kMaxConnections = 16;

  // Binds `path` (replacing a stale socket file; refusing when another
  // process still listens there) and starts serving. Errors:
  // kAlreadyExists (a node runs there already), kInvalidArgument (path
  // too long for a Unix socket), kInternal/kPermissionDenied from the
  // system.
  static absl::StatusOr<std::unique_ptr<ControlServer>> Start(
      const std::string& path, ControlHandler handler);
  virtual ~ControlServer() = default;
  // Stops accepting, waits for running requests (handlers should notice
  // Out()/Err() failing or finish quickly), removes the socket file.
  virtual void Stop() = 0;
};

// Sends `request` to the node at `path`; `on_line` gets each output line
// with whether it is for stderr. Returns the exit code. Errors:
// kUnavailable (no node runs there: the message says how to start one),
// kPermissionDenied, kDataLoss (the node closed without an exit code).
absl::StatusOr<int> ControlRequest(
    const std::string& path, absl::string_view request,
    const std::function<void(absl::string_view line, bool is_error)>& on_line);

}  // namespace natfwt::node

#endif  // NATFWT_ENGINE_NODE_CONTROL_SOCKET_H_
