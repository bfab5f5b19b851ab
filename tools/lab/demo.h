// Copyright 2026 The natfwt Authors.
//
// `natfwt lab demo`: natfwt's main job shown end to end in under a minute.
//
// It builds a NAT lab (lab.h: routers, coturn, the rendezvous) with three
// hosts: alice behind a port-restricted NAT (a home router), bob behind a
// symmetric NAT (a carrier's), carol behind a full-cone NAT; starts `natfwt
// up` on each (lab_nodes.h: with its virtual interface); then, for alice ->
// bob (hole punching cannot work: relayed through TURN) and alice -> carol
// (direct):
//   1. runs unmodified `ping -6 <peer's transport ID>` inside alice's
//      namespace: the first reply's delay is the cold setup time (REACH,
//      signalling, ICE, DTLS);
//   2. reads the path from alice's `natfwt status --json` (a pair expected
//      to go direct may start relayed and move once ICE finds the direct
//      pair: the demo waits for that, up to kDirectSettle);
//   3. moves `transfer_bytes` random bytes over TCP to the peer's transport
//      ID (tcp_transfer.h), SHA-256 checked, and measures the throughput;
// and tears everything down (nodes stopped, lab removed) unless `keep`.
//
//   DemoOptions options;
//   options.lab.natfwt_path = "/usr/bin/natfwt";
//   options.print = [](const std::string& line) { std::puts(line.c_str()); };
//   NATFWT_ASSIGN_OR_RETURN(DemoResult result, RunDemo(options));
//   std::fputs(RenderDemoSummary(result).c_str(), stdout);
//   return result.ok() ? 0 : 1;
//
// Linux and root only (the lab is). Thread-safety: RunDemo may run on any
// thread; `print` and `interrupted` are called on it.

#ifndef NATFWT_TOOLS_LAB_DEMO_H_
#define NATFWT_TOOLS_LAB_DEMO_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/lab/interface_check.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_spec.h"
#include "tools/lab/matrix_expectation.h"
#include "tools/lab/tcp_transfer.h"

namespace natfwt::lab {

// How long a pair expected to go direct may stay relayed after its first
// ping (the node's ICE restarts look for the direct pair after 2 s and 8 s).
inline constexpr absl::Duration kDirectSettle = absl::Seconds(12);

struct DemoOptions {
  LabOptions lab;        // lab.natfwt_path is the nodes' binary too.
  std::string lab_name;  // Empty: generated.
  uint64_t transfer_bytes = uint64_t{50} << 20;
  bool keep = false;  // Leave the lab and the nodes running.
  // Progress lines for a person, as they happen (may be empty).
  std::function<void(const std::string&)> print;
  // Asked between steps; true stops the demo (kCancelled) after tearing
  // down. May be empty.
  std::function<bool()> interrupted;
};

struct DemoPair {
  std::string from;
  std::string to;
  NatKind from_kind = NatKind::kPort;
  NatKind to_kind = NatKind::kPort;
  PathKind expected = PathKind::kDirect;
  std::string transport_id;  // The peer's, pinged and connected to.
  std::optional<PingOutcome> ping;
  std::string path = "none";  // From `from`'s status after the ping.
  std::string candidates;     // "local <-> remote".
  std::optional<absl::Duration> session_setup;  // As the node measured it.
  // For a pair expected to go direct that started relayed: from the first
  // reply until the status showed the direct path.
  std::optional<absl::Duration> direct_after;
  std::optional<TcpTransferResult> transfer;
  std::string transfer_path = "none";  // From the status after the copy.
  std::string problem;                 // Empty when everything worked.

  bool ok() const { return problem.empty(); }
};

struct DemoResult {
  std::string lab;
  bool kept = false;
  absl::Duration lab_up;
  absl::Duration nodes_ready;
  absl::Duration teardown;
  absl::Duration total;
  std::vector<DemoPair> pairs;
  std::string teardown_problem;  // Nodes that did not stop cleanly, ...

  bool ok() const;
};

// Runs the demo (see above). Errors: those of LabUp, StartLabNodes and
// WaitReady, kDeadlineExceeded when the interfaces did not get their
// transport IDs, kCancelled when `interrupted` said so; the lab is gone
// after any of them (unless `keep`). What went wrong with a pair is in its
// `problem`, not an error.
absl::StatusOr<DemoResult> RunDemo(const DemoOptions& options);

// The closing table: one line per pair (path, setup, RTT, throughput,
// check) and the verdict.
std::string RenderDemoSummary(const DemoResult& result);

// How the demo describes a kind of NAT to a person ("a port-restricted NAT
// (a typical home router)").
std::string DescribeNatKind(NatKind kind);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_DEMO_H_
