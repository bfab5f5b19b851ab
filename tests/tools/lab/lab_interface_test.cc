// Copyright 2026 The natfwt Authors.
//
// natfwt's network interface across the NAT lab (root, network
// namespaces): unmodified `ping -6` and a checked TCP transfer to peers'
// transport IDs, run inside the lab's hosts, for
//   (a) a pair that goes direct (port-restricted x full cone),
//   (b) a relay-only pair (port-restricted x symmetric),
//   (c) a UDP-blocked host (TURN over TCP and TLS),
//   (d) a peer that is not allowed: nothing gets through, and the allowed
//       side's counters say why,
//   (e) a peer restarted mid-transfer (same state directory: same identity,
//       same transport ID), and
//   (f) a NAT flushing its mappings mid-transfer;
// in (e) and (f) the transfer completes, checked, without restarting the
// other side, and the test prints how long TCP stalled.
//
// One lab for the whole file (built by the first test, removed at the end):
// hosts p (port), f (full), s (symmetric), b (blocked), g (restricted,
// allows only p) and x (open), each running `natfwt up` with its interface.

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/base/status_macros.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"
#include "tools/lab/interface_check.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_nodes.h"
#include "tools/lab/tcp_transfer.h"

namespace natfwt::lab {
namespace {

using ::testing::Eq;
using ::testing::Gt;
using ::testing::NotNull;

std::string Binary() {
  const char* binary = std::getenv("NATFWT_BINARY");
  return binary != nullptr ? binary : "";
}

bool HaveLabTools() {
  for (const char* tool : {"ip", "nft", "turnserver", "conntrack", "ping"}) {
    if (!natfwt::testing::FindTool(tool)) return false;
  }
  return !Binary().empty();
}

// The lab shared by every test of the file.
struct SharedLab {
  LabOptions options;
  Lab lab;
  LabNodes nodes;
  std::map<std::string, std::string> node_id;       // Host -> node ID.
  std::map<std::string, std::string> transport_id;  // Host -> its ID.

  const HostPlan& Host(const std::string& name) const {
    for (const HostPlan& host : lab.plan.hosts) {
      if (host.name == name) return host;
    }
    std::abort();
  }
};
SharedLab* shared = nullptr;

// Waits until every node has its interface's transport ID and every node
// knows every other's.
absl::Status WaitForTransportIds(SharedLab& lab, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    bool ready = true;
    for (const LabNode& node : lab.nodes.nodes()) {
      absl::StatusOr<NodeView> view = ReadNodeView(node);
      if (!view.ok() || view->transport_ids.empty()) {
        ready = false;
        continue;
      }
      lab.transport_id[node.host] = view->transport_ids.front();
      size_t known = 0;
      for (const PeerView& peer : view->peers) {
        if (!peer.transport_ids.empty()) ++known;
      }
      if (known + 1 < lab.nodes.nodes().size()) ready = false;
    }
    if (ready) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError("interfaces not ready");
    }
    absl::SleepFor(absl::Milliseconds(100));  // Polling the nodes' status.
  }
}

absl::StatusOr<std::unique_ptr<SharedLab>> BuildLab() {
  auto lab = std::make_unique<SharedLab>();
  lab->options.natfwt_path = Binary();
  LabSpec spec{.name = GenerateLabName(),
               .hosts = {{"p", NatKind::kPort},
                         {"f", NatKind::kFull},
                         {"s", NatKind::kSymmetric},
                         {"b", NatKind::kBlocked},
                         {"g", NatKind::kRestricted},
                         {"x", NatKind::kOpen}}};
  NATFWT_ASSIGN_OR_RETURN(lab->lab, LabUp(spec, lab->options));
  LabNodeOptions nodes;
  nodes.natfwt_path = Binary();
  nodes.network = "iftest";
  nodes.extra_args = {"--interface", "on"};
  for (const HostSpec& host : spec.hosts) {
    NATFWT_ASSIGN_OR_RETURN(lab->node_id[host.name],
                            LabNodeId(lab->lab, host.name));
  }
  nodes.allow["g"] = {lab->node_id["p"]};
  NATFWT_ASSIGN_OR_RETURN(lab->nodes, StartLabNodes(lab->lab, nodes));
  NATFWT_RETURN_IF_ERROR(lab->nodes.WaitReady(absl::Seconds(30)));
  NATFWT_RETURN_IF_ERROR(WaitForTransportIds(*lab, absl::Seconds(20)));
  return lab;
}

class LabInterfaceTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    if (shared == nullptr) return;
    std::vector<std::string> unclean = shared->nodes.Stop();
    EXPECT_THAT(unclean, ::testing::IsEmpty()) << "nodes not stopped cleanly";
    EXPECT_THAT(LabDown(shared->lab.plan.lab, shared->options, nullptr),
                natfwt::testing::IsOk());
    delete shared;
    shared = nullptr;
  }

  void SetUp() override {
    NATFWT_REQUIRE(natfwt::testing::HaveNetworkNamespaces(),
                   "root and network namespaces");
    NATFWT_REQUIRE(HaveLabTools(),
                   "ip, nft, turnserver, conntrack, ping, natfwt");
    if (shared == nullptr) {
      absl::StatusOr<std::unique_ptr<SharedLab>> lab = BuildLab();
      ASSERT_THAT(lab, natfwt::testing::IsOk());
      shared = lab->release();
    }
  }

  static const LabNode Node(const std::string& host) {
    absl::StatusOr<LabNode> node = shared->nodes.node(host);
    if (!node.ok()) std::abort();
    return *node;
  }

  static absl::StatusOr<PeerView> PeerOf(const std::string& from,
                                         const std::string& to) {
    NATFWT_ASSIGN_OR_RETURN(NodeView view, ReadNodeView(Node(from)));
    const PeerView* peer = view.Peer(shared->node_id[to]);
    if (peer == nullptr) return absl::NotFoundError("peer not in status");
    return *peer;
  }

  // `from`'s path to `to` once it is `path` (waiting up to `settle`: ICE
  // may start relayed and find the direct pair later), else the last seen.
  static std::string WaitForPath(const std::string& from, const std::string& to,
                                 const std::string& path,
                                 absl::Duration settle) {
    absl::Time deadline = absl::Now() + settle;
    std::string seen = "none";
    while (true) {
      absl::StatusOr<PeerView> peer = PeerOf(from, to);
      if (peer.ok()) seen = peer->path;
      if (seen == path || absl::Now() > deadline) return seen;
      absl::SleepFor(absl::Milliseconds(200));  // Polling the status.
    }
  }

  static PingOutcome Ping(const std::string& from, const std::string& to,
                          int count, absl::Duration deadline) {
    PingOptions options;
    options.count = count;
    options.interval = absl::Milliseconds(200);
    options.deadline = deadline;
    absl::StatusOr<PingOutcome> ping =
        PingFromHost(shared->lab, from, shared->transport_id[to], options);
    EXPECT_THAT(ping, natfwt::testing::IsOk());
    return ping.ok() ? *ping : PingOutcome{};
  }

  static TcpTransferOptions Transfer(const std::string& from,
                                     const std::string& to, uint64_t bytes) {
    TcpTransferOptions options;
    options.sender_ns = shared->Host(from).ns;
    options.receiver_ns = shared->Host(to).ns;
    options.address = shared->transport_id[to];
    options.bytes = bytes;
    options.timeout = absl::Seconds(45);
    return options;
  }

  // Ping, path and a checked transfer from `from` to `to`.
  static void ExpectWorkingPair(const std::string& from, const std::string& to,
                                const std::string& path, uint64_t bytes) {
    PingOutcome ping = Ping(from, to, 3, absl::Seconds(10));
    EXPECT_THAT(ping.received, Gt(0)) << ping.output;
    EXPECT_THAT(WaitForPath(from, to, path, absl::Seconds(12)), Eq(path));
    absl::StatusOr<TcpTransferResult> transfer =
        RunTcpTransfer(Transfer(from, to, bytes));
    ASSERT_THAT(transfer, natfwt::testing::IsOk());
    EXPECT_TRUE(transfer->ok())
        << transfer->received << " of " << transfer->sent << " bytes, "
        << transfer->received_sha256 << " vs " << transfer->sent_sha256;
    absl::StatusOr<PeerView> peer = PeerOf(from, to);
    ASSERT_THAT(peer, natfwt::testing::IsOk());
    EXPECT_THAT(peer->path, Eq(path));
    std::printf(
        "%s -> %s: %s, first reply after %.0f ms, %.0f Mb/s TCP\n",
        from.c_str(), to.c_str(), peer->path.c_str(),
        ping.first_reply ? absl::ToDoubleMilliseconds(*ping.first_reply) : -1.0,
        transfer->bits_per_second() / 1e6);
  }

  struct Disrupted {
    absl::StatusOr<TcpTransferResult> result;
    // From the start of the disruption until the sender's node had a new
    // secure session with the receiver's, as its status showed it.
    std::optional<absl::Duration> session_back;
    std::string timeline;  // The sender's view of the peer as it changed.
  };

  // Runs a paced transfer from `from` to `to` and calls `disrupt` once a
  // quarter of it arrived, watching `from`'s view of `to` meanwhile.
  static Disrupted TransferThrough(const std::string& from,
                                   const std::string& to,
                                   const std::function<void()>& disrupt) {
    constexpr uint64_t kBytes = 24 << 20;
    TcpTransferOptions options = Transfer(from, to, kBytes);
    options.rate_bytes_per_second = 8 << 20;  // About 3 s undisturbed.
    options.timeout = absl::Seconds(60);
    absl::Notification quarter;
    options.on_progress = [&quarter](uint64_t received) {
      if (received >= kBytes / 4 && !quarter.HasBeenNotified()) {
        quarter.Notify();
      }
    };
    Disrupted out;
    absl::Notification done;
    std::thread transfer([&] {
      out.result = RunTcpTransfer(options);
      done.Notify();
    });
    if (!quarter.WaitForNotificationWithTimeout(absl::Seconds(20))) {
      transfer.join();
      if (out.result.ok()) {
        out.result =
            absl::InternalError("the transfer never reached a quarter");
      }
      return out;
    }
    absl::Time start = absl::Now();
    std::thread watch([&] { Watch(from, to, start, done, out); });
    disrupt();
    transfer.join();
    watch.join();
    return out;
  }

  // Polls `from`'s view of `to` until `done`, noting each change.
  static void Watch(const std::string& from, const std::string& to,
                    absl::Time start, absl::Notification& done,
                    Disrupted& out) {
    std::string last;
    while (!done.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      absl::StatusOr<PeerView> peer = PeerOf(from, to);
      if (!peer.ok()) continue;
      bool fresh =
          peer->last_handshake.has_value() && *peer->last_handshake > start;
      std::string now = absl::StrCat(peer->state, " ", peer->path,
                                     fresh ? " (new session)" : "");
      double at = absl::ToDoubleSeconds(absl::Now() - start);
      if (now != last) {
        absl::StrAppend(&out.timeline, absl::StrFormat(" %.1fs:%s", at, now));
        last = now;
      }
      if (fresh && peer->state == "secure" && !out.session_back) {
        out.session_back = absl::Now() - start;
      }
    }
  }

  static void Report(absl::string_view what, const Disrupted& disrupted) {
    std::printf(
        "%.*s: transfer checked; TCP stalled at most %.1f s; new "
        "session after %s; sender's view:%s\n",
        static_cast<int>(what.size()), what.data(),
        absl::ToDoubleSeconds(disrupted.result->longest_stall),
        disrupted.session_back
            ? absl::StrFormat("%.1f s",
                              absl::ToDoubleSeconds(*disrupted.session_back))
                  .c_str()
            : "-",
        disrupted.timeline.c_str());
  }
};

TEST_F(LabInterfaceTest, DirectPairPingsAndCopies) {
  ExpectWorkingPair("p", "f", "direct", 16 << 20);
}

TEST_F(LabInterfaceTest, RelayOnlyPairPingsAndCopies) {
  ExpectWorkingPair("p", "s", "relay", 16 << 20);
}

TEST_F(LabInterfaceTest, UdpBlockedHostRelaysOverTcp) {
  ExpectWorkingPair("b", "p", "relay", 8 << 20);
  absl::StatusOr<PeerView> peer = PeerOf("b", "p");
  ASSERT_THAT(peer, natfwt::testing::IsOk());
  // No UDP leaves b: its end of the path is a TURN allocation reached over
  // TCP or TLS.
  EXPECT_THAT(peer->local_candidate, ::testing::StartsWith("relay "));
}

TEST_F(LabInterfaceTest, PeerNotAllowedGetsNothingThrough) {
  absl::StatusOr<NodeView> before = ReadNodeView(Node("g"));
  ASSERT_THAT(before, natfwt::testing::IsOk());
  // x -> g: x may try, g refuses its offer.
  PingOutcome refused = Ping("x", "g", 3, absl::Seconds(4));
  EXPECT_THAT(refused.received, Eq(0)) << refused.output;
  // g -> x: g has no peer owning x's transport ID, so its interface says
  // unreachable at once.
  PingOutcome unreachable = Ping("g", "x", 2, absl::Seconds(3));
  EXPECT_THAT(unreachable.received, Eq(0)) << unreachable.output;
  absl::StatusOr<NodeView> after = ReadNodeView(Node("g"));
  ASSERT_THAT(after, natfwt::testing::IsOk());
  EXPECT_THAT(after->NodeCounter("offers_not_allowed"),
              Gt(before->NodeCounter("offers_not_allowed")));
  EXPECT_THAT(after->InterfaceCounter("reach_no_owner"),
              Gt(before->InterfaceCounter("reach_no_owner")));
  const PeerView* x = after->Peer(shared->node_id["x"]);
  ASSERT_THAT(x, NotNull());
  EXPECT_THAT(x->state, ::testing::Ne("secure"));
  EXPECT_THAT(x->bytes_received, Eq(0u));
  // The allowed peer still gets through: the refusal is the allow list's.
  PingOutcome allowed = Ping("p", "g", 2, absl::Seconds(10));
  EXPECT_THAT(allowed.received, Gt(0)) << allowed.output;
}

TEST_F(LabInterfaceTest, TransferSurvivesPeerRestart) {
  // A session first, so the restart breaks a working path.
  ASSERT_THAT(Ping("p", "f", 1, absl::Seconds(10)).received, Gt(0));
  const std::string id_before = shared->transport_id["f"];
  const pid_t p_pid = Node("p").pid;
  const pid_t f_pid = Node("f").pid;
  Disrupted disrupted = TransferThrough("p", "f", [&] {
    EXPECT_THAT(shared->nodes.StopNode("f"), natfwt::testing::IsOk());
    EXPECT_THAT(shared->nodes.RestartNode("f"), natfwt::testing::IsOk());
  });
  const absl::StatusOr<TcpTransferResult>& result = disrupted.result;
  ASSERT_THAT(result, natfwt::testing::IsOk());
  EXPECT_TRUE(result->ok()) << result->received << " of " << result->sent;
  EXPECT_THAT(Node("p").pid, Eq(p_pid)) << "p must not restart";
  EXPECT_THAT(Node("f").pid, ::testing::Ne(f_pid)) << "f restarted";
  EXPECT_TRUE(disrupted.session_back.has_value())
      << "p never had a new session with f:" << disrupted.timeline;
  absl::StatusOr<NodeView> f = ReadNodeView(Node("f"));
  ASSERT_THAT(f, natfwt::testing::IsOk());
  EXPECT_THAT(f->node_id, Eq(shared->node_id["f"])) << "same identity";
  ASSERT_FALSE(f->transport_ids.empty());
  EXPECT_THAT(f->transport_ids.front(), Eq(id_before)) << "same transport ID";
  Report("peer restart", disrupted);
}

TEST_F(LabInterfaceTest, TransferSurvivesNatFlush) {
  ASSERT_THAT(Ping("p", "s", 1, absl::Seconds(10)).received, Gt(0));
  const pid_t p_pid = Node("p").pid;
  const pid_t s_pid = Node("s").pid;
  Disrupted disrupted = TransferThrough("p", "s", [&] {
    EXPECT_THAT(LabFlush(shared->lab, "s"), natfwt::testing::IsOk());
  });
  const absl::StatusOr<TcpTransferResult>& result = disrupted.result;
  ASSERT_THAT(result, natfwt::testing::IsOk());
  EXPECT_TRUE(result->ok()) << result->received << " of " << result->sent;
  EXPECT_THAT(Node("p").pid, Eq(p_pid));
  EXPECT_THAT(Node("s").pid, Eq(s_pid));
  Report("NAT flush", disrupted);
}

}  // namespace
}  // namespace natfwt::lab
