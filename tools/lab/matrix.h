// Copyright 2026 The natfwt Authors.
//
// The traversal matrix: two natfwt nodes behind every pair of NAT kinds, in
// one lab, must connect, directly where hole punching can work and through
// TURN otherwise (matrix_expectation.h).
//
// One lab holds two hosts per kind ("l<kind>" and "r<kind>", each behind its
// own router(s)); every left node pings every right node. Each pair's
// session is cold (created by the ping) and separate from the others, so
// the pairs run concurrently (`parallel` at a time): 49 pairs with 14 nodes.
// A pair passes when a ping is answered and the path of the last reply is
// the expected one. ICE may start on a relay and move to a direct pair once
// one works: a pair expected to go direct keeps pinging (up to `settle`)
// until it does, and the time to its first direct reply is reported. The
// first reply's time is "time to first reply" from the moment the ping
// request reached the node (cold: including signalling, ICE and the DTLS
// handshake).

#ifndef NATFWT_TOOLS_LAB_MATRIX_H_
#define NATFWT_TOOLS_LAB_MATRIX_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_spec.h"
#include "tools/lab/matrix_expectation.h"

namespace natfwt::lab {

struct MatrixOptions {
  std::vector<NatKind> kinds = AllNatKinds();
  int delay_ms = 0;
  double loss_pct = 0;
  Impairment impairment = Impairment::kAuto;
  std::string lab_name;  // Empty: generated.
  LabOptions lab;        // lab.natfwt_path is the node binary too.
  int pings = 3;
  absl::Duration ping_interval = absl::Milliseconds(300);
  absl::Duration connect_timeout = absl::Seconds(20);
  int parallel = 49;  // Pairs at once.
  // How long a pair expected to go direct may keep pinging until it does.
  absl::Duration settle = absl::Seconds(10);
  bool keep = false;  // Leave the lab up afterwards.
};

struct PairResult {
  NatKind left = NatKind::kOpen;
  NatKind right = NatKind::kOpen;
  PathKind expected = PathKind::kDirect;
  std::optional<PathKind> first_path;         // Of the first reply.
  std::optional<PathKind> path;               // Of the last reply.
  std::optional<absl::Duration> first_reply;  // Request to first reply.
  // Request to the first reply over a direct path.
  std::optional<absl::Duration> direct_after;
  std::optional<absl::Duration> setup;  // As the node measured it.
  int replies = 0;
  // Both standbys were ready when the ping started (LabNodes::WaitWarm).
  bool warm = false;
  std::string detail;  // Candidates, or why it failed.
  bool ok() const { return path.has_value() && *path == expected; }
};

struct MatrixResult {
  std::string lab;
  std::vector<NatKind> kinds;
  std::vector<PairResult> pairs;  // Row-major: left kind, then right kind.
  absl::Duration lab_up;
  absl::Duration nodes_ready;
  absl::Duration pings;
  bool ok() const;
};

// Builds the lab, runs the pairs, tears the lab down (unless keep).
// Errors: those of LabUp / StartLabNodes / WaitReady (setup problems, not
// pair failures, which are in the result).
absl::StatusOr<MatrixResult> RunMatrix(const MatrixOptions& options);

// Parses one reply line of `natfwt ping` ("reply from ...: seq=1
// time=0.52 ms via direct (host udp ...) [session set up in 3.1 ms]").
struct ParsedReply {
  PathKind path = PathKind::kDirect;
  absl::Duration rtt;
  std::optional<absl::Duration> setup;
  std::string remote;
};
std::optional<ParsedReply> ParseReplyLine(absl::string_view line);

// The expected and measured tables side by side, then one line per pair.
std::string RenderMatrix(const MatrixResult& result);
std::string RenderMatrixJson(const MatrixResult& result);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_MATRIX_H_
