// Copyright 2026 The natfwt Authors.

#include "tools/lab/lab_nodes.h"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/node/control_socket.h"
#include "engine/secure/identity.h"
#include "platform/base/status_macros.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace {

size_t CountOccurrences(absl::string_view text, absl::string_view needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != absl::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::vector<std::string> UpArgv(const Lab& lab, const LabNodeOptions& options,
                                const LabNode& node) {
  std::string stun = absl::StrCat(kStunPrimaryAddress, ":", kStunPort);
  std::string turn = absl::StrCat(kStunPrimaryAddress, ":", kStunPort);
  std::vector<std::string> argv = {
      options.natfwt_path,
      "up",
      "--rendezvous",
      absl::StrCat(kRendezvousAddress, ":", kTlsPort),
      "--network",
      options.network,
      "--stun",
      stun,
      "--turn",
      absl::StrCat("turn:", turn, "?transport=udp"),
      "--turn",
      absl::StrCat("turn:", turn, "?transport=tcp"),
      "--turn",
      absl::StrCat("turns:", kStunPrimaryAddress, ":", kTlsPort),
      "--turn-ca",
      lab.certificate_path,
      "--turn-user",
      std::string(kTurnUser),
      "--turn-password",
      std::string(kTurnPassword),
      "--no-ipv6",
      "--connect-timeout-s",
      absl::StrCat(absl::ToInt64Seconds(options.connect_timeout)),
      "--state-dir",
      node.state_dir,
      "--log-level",
      "info"};
  auto allow = options.allow.find(node.host);
  if (allow == options.allow.end()) {
    argv.insert(argv.end(), {"--allow", "any"});
  } else {
    for (const std::string& peer : allow->second) {
      argv.insert(argv.end(), {"--allow", peer});
    }
  }
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  return argv;
}

bool Exited(pid_t pid, int* status) {
  return waitpid(pid, status, WNOHANG) == pid;
}

std::string NodeStateDir(const Lab& lab, absl::string_view host) {
  return absl::StrCat(lab.state_dir, "/nodes/", host);
}

// SIGTERM was sent to `node`: waits for it (SIGKILL after 5 s). True when
// it exited by itself with 0.
bool Reap(LabNode& node) {
  int status = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  bool done = false;
  while (!(done = Exited(node.pid, &status)) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Polling waitpid.
  }
  if (!done) {
    kill(node.pid, SIGKILL);
    waitpid(node.pid, &status, 0);
  }
  node.pid = -1;
  return done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::string Tail(const std::string& path, int lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  size_t from =
      all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + from, all.end(), "\n");
}

absl::StatusOr<LabNode> LabNodes::node(absl::string_view host) const {
  for (const LabNode& node : nodes_) {
    if (node.host == host) return node;
  }
  return absl::NotFoundError(absl::StrCat("no node on host '", host, "'"));
}

absl::StatusOr<std::string> LabNodeId(const Lab& lab, absl::string_view host) {
  NATFWT_ASSIGN_OR_RETURN(
      secure::Identity identity,
      secure::Identity::LoadOrCreate(NodeStateDir(lab, host)));
  return identity.node_id();
}

absl::StatusOr<LabNodes> StartLabNodes(const Lab& lab,
                                       const LabNodeOptions& options) {
  if (options.natfwt_path.empty()) {
    return absl::InvalidArgumentError("lab nodes: no natfwt binary");
  }
  std::vector<std::string> hosts = options.hosts;
  if (hosts.empty()) {
    for (const HostPlan& host : lab.plan.hosts) hosts.push_back(host.name);
  }
  LabNodes nodes;
  for (const std::string& host : hosts) {
    LabNode node;
    node.host = host;
    node.state_dir = NodeStateDir(lab, host);
    node.control_path = absl::StrCat(node.state_dir, "/control.sock");
    node.log_path = absl::StrCat(node.state_dir, ".log");
    NATFWT_ASSIGN_OR_RETURN(secure::Identity identity,
                            secure::Identity::LoadOrCreate(node.state_dir));
    node.node_id = identity.node_id();
    NATFWT_ASSIGN_OR_RETURN(node.argv,
                            LabExecArgv(lab, host, UpArgv(lab, options, node)));
    NATFWT_ASSIGN_OR_RETURN(node.pid, SpawnDetached(node.argv, node.log_path));
    nodes.nodes_.push_back(std::move(node));
  }
  return nodes;
}

absl::StatusOr<ControlReply> AskNode(const LabNode& node,
                                     absl::string_view request) {
  ControlReply reply;
  NATFWT_ASSIGN_OR_RETURN(
      reply.exit_code,
      node::ControlRequest(node.control_path, request,
                           [&reply](absl::string_view line, bool) {
                             reply.lines.push_back(std::string(line));
                           }));
  return reply;
}

absl::Status LabNodes::WaitReady(absl::Duration timeout) const {
  absl::Time deadline = absl::Now() + timeout;
  std::vector<const LabNode*> pending;
  for (const LabNode& node : nodes_) pending.push_back(&node);
  size_t others = nodes_.empty() ? 0 : nodes_.size() - 1;
  while (!pending.empty()) {
    std::vector<const LabNode*> still;
    for (const LabNode* node : pending) {
      int status = 0;
      if (Exited(node->pid, &status)) {
        return absl::UnavailableError(
            absl::StrCat("node on ", node->host, " exited (status ", status,
                         "):\n", Tail(node->log_path, 15)));
      }
      absl::StatusOr<ControlReply> reply = AskNode(*node, "status json");
      // Ready also means warm: the node's outbound standby is gathered and
      // it holds every other node's published standby (node.h), so the
      // first session with anyone starts without a signalling round trip.
      bool ready =
          reply.ok() && !reply->lines.empty() &&
          absl::StrContains(reply->lines[0], "\"rendezvous_connected\":true") &&
          absl::StrContains(reply->lines[0],
                            "\"standby_outbound_ready\":true") &&
          CountOccurrences(reply->lines[0], "\"online\":true") >= others &&
          CountOccurrences(reply->lines[0], "\"peer_standby\":true") >= others;
      if (!ready) still.push_back(node);
    }
    pending = std::move(still);
    if (pending.empty()) break;
    if (absl::Now() > deadline) {
      std::string names;
      for (const LabNode* node : pending) {
        absl::StrAppend(&names, "\n--- ", node->host, ":\n",
                        Tail(node->log_path, 10));
      }
      return absl::DeadlineExceededError(
          absl::StrCat("nodes not ready within ", absl::FormatDuration(timeout),
                       ":", names));
    }
    absl::SleepFor(absl::Milliseconds(100));  // Polling their status.
  }
  return absl::OkStatus();
}

absl::Status LabNodes::WaitWarm(const LabNode& from, const LabNode& to,
                                absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const std::string peer = absl::StrCat("\"node_id\":\"", to.node_id, "\"");
  while (true) {
    absl::StatusOr<ControlReply> reply = AskNode(from, "status json");
    if (reply.ok() && !reply->lines.empty()) {
      absl::string_view json = reply->lines[0];
      // The peer's object runs from its node_id to the next one.
      size_t at = json.find(peer);
      absl::string_view entry =
          at == absl::string_view::npos ? "" : json.substr(at + peer.size());
      entry = entry.substr(0, entry.find("\"node_id\""));
      if (absl::StrContains(json, "\"standby_outbound_ready\":true") &&
          absl::StrContains(entry, "\"peer_standby\":true")) {
        return absl::OkStatus();
      }
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(from.host, " is not warm for ", to.host, " within ",
                       absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(20));  // Polling its status.
  }
}

std::vector<std::string> LabNodes::Stop() {
  std::vector<std::string> unclean;
  for (LabNode& node : nodes_) {
    if (node.pid > 0) kill(node.pid, SIGTERM);
  }
  for (LabNode& node : nodes_) {
    if (node.pid <= 0) continue;
    if (!Reap(node)) unclean.push_back(node.host);
  }
  return unclean;
}

absl::Status LabNodes::StopNode(absl::string_view host) {
  for (LabNode& node : nodes_) {
    if (node.host != host) continue;
    if (node.pid <= 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("the node on ", host, " is not running"));
    }
    kill(node.pid, SIGTERM);
    if (!Reap(node)) {
      return absl::InternalError(absl::StrCat("the node on ", host,
                                              " did not stop cleanly:\n",
                                              Tail(node.log_path, 10)));
    }
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no node on host '", host, "'"));
}

absl::Status LabNodes::RestartNode(absl::string_view host) {
  for (LabNode& node : nodes_) {
    if (node.host != host) continue;
    if (node.pid > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("the node on ", host, " is running"));
    }
    NATFWT_ASSIGN_OR_RETURN(node.pid, SpawnDetached(node.argv, node.log_path));
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no node on host '", host, "'"));
}

}  // namespace natfwt::lab
