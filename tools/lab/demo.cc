// Copyright 2026 The natfwt Authors.
//
// `natfwt lab demo`: one lab, three nodes, two pairs, then teardown. Every
// step prints one line for the person watching, stamped with the time
// since the start.

#include "tools/lab/demo.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "platform/base/status_macros.h"
#include "tools/lab/lab_nodes.h"

namespace natfwt::lab {
namespace {

struct DemoHost {
  const char* name;
  NatKind kind;
};
constexpr DemoHost kHosts[] = {{"alice", NatKind::kPort},
                               {"bob", NatKind::kSymmetric},
                               {"carol", NatKind::kFull}};
// alice -> bob (relayed), alice -> carol (direct).
constexpr std::pair<const char*, const char*> kPairs[] = {{"alice", "bob"},
                                                          {"alice", "carol"}};

constexpr absl::Duration kNodesReadyTimeout = absl::Seconds(20);
constexpr absl::Duration kStatusPoll = absl::Milliseconds(200);

std::string Ms(absl::Duration d) {
  double ms = absl::ToDoubleMilliseconds(d);
  return ms < 10 ? absl::StrFormat("%.2f ms", ms)
                 : absl::StrFormat("%.0f ms", ms);
}

std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%.1f s", absl::ToDoubleSeconds(d));
}

std::string Rate(double bits_per_second) {
  if (bits_per_second >= 1e9) {
    return absl::StrFormat("%.2f Gb/s", bits_per_second / 1e9);
  }
  return absl::StrFormat("%.0f Mb/s", bits_per_second / 1e6);
}

std::string Size(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return absl::StrCat(bytes >> 20, " MiB");
  return absl::StrCat(bytes, " bytes");
}

class Demo {
 public:
  explicit Demo(const DemoOptions& options) : options_(options) {}

  absl::StatusOr<DemoResult> Run() {
    start_ = absl::Now();
    absl::Status status = BringUp();
    if (status.ok()) {
      for (const auto& [from, to] : kPairs) {
        if (status = CheckInterrupted(); !status.ok()) break;
        result_.pairs.push_back(NewPair(from, to));
        RunPair(result_.pairs.back());
      }
    }
    if (lab_.has_value()) TearDown();
    result_.total = absl::Now() - start_;
    if (!status.ok()) return status;
    return std::move(result_);
  }

 private:
  void Say(absl::string_view line) {
    if (!options_.print) return;
    options_.print(absl::StrFormat(
        "[%5.1f s] %s", absl::ToDoubleSeconds(absl::Now() - start_), line));
  }
  void Detail(absl::string_view line) {
    if (options_.print) options_.print(absl::StrCat("          ", line));
  }

  absl::Status CheckInterrupted() {
    if (options_.interrupted && options_.interrupted()) {
      return absl::CancelledError("interrupted");
    }
    return absl::OkStatus();
  }

  const HostPlan* Host(absl::string_view name) const {
    for (const HostPlan& host : lab_->plan.hosts) {
      if (host.name == name) return &host;
    }
    return nullptr;
  }

  absl::Status BringUp() {
    LabSpec spec;
    spec.name =
        options_.lab_name.empty() ? GenerateLabName() : options_.lab_name;
    for (const DemoHost& host : kHosts) {
      spec.hosts.push_back({host.name, host.kind});
    }
    result_.lab = spec.name;
    Say(absl::StrCat("building lab ", spec.name,
                     ": an emulated internet with a STUN/TURN server "
                     "(coturn), a natfwt rendezvous and three hosts"));
    absl::Time step = absl::Now();
    NATFWT_ASSIGN_OR_RETURN(Lab lab, LabUp(spec, options_.lab));
    lab_ = std::move(lab);
    result_.lab_up = absl::Now() - step;
    for (const DemoHost& host : kHosts) {
      const HostPlan* plan = Host(host.name);
      Detail(absl::StrFormat("%-6s behind %s, LAN address %s", host.name,
                             DescribeNatKind(host.kind),
                             plan != nullptr ? plan->address : "?"));
    }
    Say(absl::StrCat("lab up in ", Seconds(result_.lab_up),
                     "; starting `natfwt up` on every host"));
    NATFWT_RETURN_IF_ERROR(CheckInterrupted());
    step = absl::Now();
    LabNodeOptions node_options;
    node_options.natfwt_path = options_.lab.natfwt_path;
    node_options.network = "demo";
    node_options.extra_args = {"--interface", "on"};
    NATFWT_ASSIGN_OR_RETURN(nodes_, StartLabNodes(*lab_, node_options));
    NATFWT_RETURN_IF_ERROR(nodes_.WaitReady(kNodesReadyTimeout));
    NATFWT_RETURN_IF_ERROR(WaitForTransportIds(step + kNodesReadyTimeout));
    result_.nodes_ready = absl::Now() - step;
    Say(absl::StrCat("nodes registered, interfaces up in ",
                     Seconds(result_.nodes_ready), ":"));
    for (const DemoHost& host : kHosts) {
      Detail(absl::StrFormat("%-6s node %s…  transport ID %s", host.name,
                             node_ids_[host.name].substr(0, 12),
                             ids_[host.name]));
    }
    return absl::OkStatus();
  }

  // Until every node has its interface's transport ID and alice knows her
  // peers' (from their signed records at the rendezvous).
  absl::Status WaitForTransportIds(absl::Time deadline) {
    while (true) {
      std::string missing;
      for (const LabNode& node : nodes_.nodes()) {
        absl::StatusOr<NodeView> view = ReadNodeView(node);
        if (!view.ok() || view->transport_ids.empty()) {
          absl::StrAppend(&missing, " ", node.host);
          continue;
        }
        ids_[node.host] = view->transport_ids.front();
        node_ids_[node.host] = view->node_id;
        views_[node.host] = *std::move(view);
      }
      for (const auto& [from, to] : kPairs) {
        const PeerView* peer = nullptr;
        if (views_.contains(from) && node_ids_.contains(to)) {
          peer = views_[from].Peer(node_ids_[to]);
        }
        if (peer == nullptr || peer->transport_ids.empty()) {
          absl::StrAppend(&missing, " ", from, "-knows-", to);
        }
      }
      if (missing.empty()) return absl::OkStatus();
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("interfaces not ready:", missing));
      }
      absl::SleepFor(kStatusPoll);  // Polling the nodes' status.
    }
  }

  DemoPair NewPair(const std::string& from, const std::string& to) {
    DemoPair pair;
    pair.from = from;
    pair.to = to;
    for (const DemoHost& host : kHosts) {
      if (host.name == from) pair.from_kind = host.kind;
      if (host.name == to) pair.to_kind = host.kind;
    }
    pair.expected = ExpectedPath(pair.from_kind, pair.to_kind);
    pair.transport_id = ids_[to];
    return pair;
  }

  // The path `pair.from`'s node reports for the peer.
  void ReadPath(DemoPair& pair, std::string* path) {
    absl::StatusOr<LabNode> node = nodes_.node(pair.from);
    if (!node.ok()) return;
    absl::StatusOr<NodeView> view = ReadNodeView(*node);
    if (!view.ok()) return;
    const PeerView* peer = view->Peer(node_ids_[pair.to]);
    if (peer == nullptr) return;
    *path = peer->path;
    pair.candidates =
        absl::StrCat(peer->local_candidate, " <-> ", peer->remote_candidate);
    pair.session_setup = peer->setup;
  }

  void RunPair(DemoPair& pair) {
    Say(absl::StrCat(pair.from, " -> ", pair.to, ": ",
                     NatKindName(pair.from_kind), " x ",
                     NatKindName(pair.to_kind), " NAT, ",
                     pair.expected == PathKind::kDirect
                         ? "hole punching works: a direct path is expected"
                         : "hole punching cannot work: relayed through TURN"));
    if (!Ping(pair)) return;
    ReadPath(pair, &pair.path);
    if (pair.expected == PathKind::kDirect && pair.path != "direct") {
      WaitForDirect(pair);
    }
    Detail(absl::StrCat("path (natfwt status --json): ", pair.path, ", ",
                        pair.candidates));
    if (pair.path != PathKindName(pair.expected)) {
      pair.problem = absl::StrCat("expected a ", PathKindName(pair.expected),
                                  " path, got ", pair.path);
    }
    if (!CheckInterrupted().ok()) return;
    Transfer(pair);
  }

  bool Ping(DemoPair& pair) {
    PingOptions ping_options;
    ping_options.count = 5;
    ping_options.interval = absl::Milliseconds(200);
    ping_options.deadline = absl::Seconds(15);
    absl::StatusOr<PingOutcome> ping =
        PingFromHost(*lab_, pair.from, pair.transport_id, ping_options);
    if (!ping.ok()) {
      pair.problem = absl::StrCat("ping: ", ping.status().message());
      Say(pair.problem);
      return false;
    }
    pair.ping = *ping;
    std::string line = absl::StrFormat("ping -6 %s (run in %s): %d/%d replies",
                                       pair.transport_id, pair.from,
                                       ping->received, ping->transmitted);
    if (ping->first_reply.has_value()) {
      absl::StrAppend(&line, ", first after ", Ms(*ping->first_reply),
                      " (cold setup)");
    }
    if (std::optional<absl::Duration> rtt = ping->WarmRtt()) {
      absl::StrAppend(&line, ", then rtt ", Ms(*rtt));
    }
    Say(line);
    if (ping->received == 0) {
      pair.problem = "ping: no reply";
      Detail(ping->output);
      return false;
    }
    return true;
  }

  void WaitForDirect(DemoPair& pair) {
    absl::Time since = absl::Now();
    Detail(absl::StrCat("path: ", pair.path,
                        " for now; waiting for ICE to find the direct pair"));
    while (pair.path != "direct" && absl::Now() - since < kDirectSettle) {
      absl::SleepFor(kStatusPoll);  // Polling the node's status.
      ReadPath(pair, &pair.path);
    }
    if (pair.path == "direct") pair.direct_after = absl::Now() - since;
  }

  void Transfer(DemoPair& pair) {
    const HostPlan* from = Host(pair.from);
    const HostPlan* to = Host(pair.to);
    TcpTransferOptions transfer;
    transfer.sender_ns = from->ns;
    transfer.receiver_ns = to->ns;
    transfer.address = pair.transport_id;
    transfer.bytes = options_.transfer_bytes;
    transfer.timeout = absl::Seconds(40);
    absl::StatusOr<TcpTransferResult> result = RunTcpTransfer(transfer);
    if (!result.ok()) {
      if (pair.problem.empty()) {
        pair.problem =
            absl::StrCat("TCP transfer: ", result.status().message());
      }
      Say(absl::StrCat("TCP transfer failed: ", result.status().message()));
      return;
    }
    pair.transfer = *result;
    ReadPath(pair, &pair.transfer_path);
    Say(absl::StrFormat(
        "TCP: %s of random bytes %s -> [%s]:%d in %s: %s, sha256 %s (%s…)",
        Size(result->sent), pair.from, pair.transport_id, result->port,
        Seconds(result->elapsed), Rate(result->bits_per_second()),
        result->ok() ? "identical at both ends" : "DIFFERENT",
        result->received_sha256.substr(0, 16)));
    if (!result->ok() && pair.problem.empty()) {
      pair.problem = absl::StrCat("TCP transfer: ", result->received, " of ",
                                  result->sent, " bytes, hashes differ");
    }
    if (pair.transfer_path != pair.path && pair.problem.empty()) {
      pair.problem = absl::StrCat("path changed to ", pair.transfer_path,
                                  " during the transfer");
    }
  }

  void TearDown() {
    if (options_.keep) {
      nodes_.Detach();
      result_.kept = true;
      Say(absl::StrCat("--keep: lab ", result_.lab,
                       " and its nodes stay up. Try:"));
      Detail(absl::StrCat("natfwt lab exec ", result_.lab, " alice -- ping -6 ",
                          ids_["bob"]));
      Detail(absl::StrCat("natfwt lab exec ", result_.lab,
                          " alice -- natfwt status --state-dir ",
                          lab_->state_dir, "/nodes/alice"));
      Detail(absl::StrCat("natfwt lab down ", result_.lab,
                          "   (removes everything)"));
      return;
    }
    absl::Time step = absl::Now();
    std::vector<std::string> unclean = nodes_.Stop();
    absl::Status down = LabDown(result_.lab, options_.lab, nullptr);
    result_.teardown = absl::Now() - step;
    if (!unclean.empty()) {
      result_.teardown_problem = absl::StrCat(
          "nodes that did not stop cleanly: ", absl::StrJoin(unclean, ", "));
    }
    if (!down.ok()) {
      absl::StrAppend(&result_.teardown_problem,
                      result_.teardown_problem.empty() ? "" : "; ",
                      "lab down: ", down.message());
    }
    Say(result_.teardown_problem.empty()
            ? absl::StrCat("torn down in ", Seconds(result_.teardown),
                           ": nodes stopped, interfaces and namespaces gone")
            : absl::StrCat("teardown: ", result_.teardown_problem));
  }

  const DemoOptions& options_;
  absl::Time start_;
  DemoResult result_;
  std::optional<Lab> lab_;
  LabNodes nodes_;
  std::map<std::string, std::string> ids_;       // Host -> transport ID.
  std::map<std::string, std::string> node_ids_;  // Host -> node ID.
  std::map<std::string, NodeView> views_;
};

}  // namespace

std::string DescribeNatKind(NatKind kind) {
  switch (kind) {
    case NatKind::kOpen:
      return "no NAT (a public address)";
    case NatKind::kFull:
      return "a full-cone NAT";
    case NatKind::kRestricted:
      return "an address-restricted NAT";
    case NatKind::kPort:
      return "a port-restricted NAT (a typical home router)";
    case NatKind::kSymmetric:
      return "a symmetric NAT (as carriers and firms have)";
    case NatKind::kCgnat:
      return "a home router behind a carrier-grade NAT";
    case NatKind::kBlocked:
      return "a firewall without UDP";
  }
  return "?";
}

bool DemoResult::ok() const {
  if (pairs.size() != std::size(kPairs) || !teardown_problem.empty()) {
    return false;
  }
  for (const DemoPair& pair : pairs) {
    if (!pair.ok()) return false;
  }
  return true;
}

absl::StatusOr<DemoResult> RunDemo(const DemoOptions& options) {
  return Demo(options).Run();
}

std::string RenderDemoSummary(const DemoResult& result) {
  std::string out = absl::StrFormat("\n%-15s %-7s %-10s %-9s %s\n", "pair",
                                    "path", "setup", "rtt", "TCP transfer");
  for (const DemoPair& pair : result.pairs) {
    std::string setup = "-", rtt = "-", tcp = "-";
    if (pair.ping.has_value() && pair.ping->first_reply.has_value()) {
      setup = Ms(*pair.ping->first_reply);
    }
    if (pair.ping.has_value() && pair.ping->WarmRtt().has_value()) {
      rtt = Ms(*pair.ping->WarmRtt());
    }
    if (pair.transfer.has_value()) {
      tcp = absl::StrCat(Size(pair.transfer->sent), " at ",
                         Rate(pair.transfer->bits_per_second()),
                         pair.transfer->ok() ? ", checked" : ", CORRUPT");
    }
    absl::StrAppendFormat(&out, "%-15s %-7s %-10s %-9s %s\n",
                          absl::StrCat(pair.from, " -> ", pair.to), pair.path,
                          setup, rtt, tcp);
    if (!pair.ok()) absl::StrAppend(&out, "  FAILED: ", pair.problem, "\n");
  }
  if (!result.teardown_problem.empty()) {
    absl::StrAppend(&out, "FAILED teardown: ", result.teardown_problem, "\n");
  }
  absl::StrAppendFormat(
      &out, "\n%s in %s (lab up %s, nodes ready %s%s)\n",
      result.ok() ? "demo OK: ping and TCP over natfwt's interface, relayed "
                    "and direct,"
                  : "demo FAILED",
      Seconds(result.total), Seconds(result.lab_up),
      Seconds(result.nodes_ready),
      result.kept ? ", lab kept"
                  : absl::StrCat(", teardown ", Seconds(result.teardown)));
  return out;
}

}  // namespace natfwt::lab
