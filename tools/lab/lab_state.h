// Copyright 2026 The natfwt Authors.
//
// The state file of a lab (<state root>/<lab>/state, default root
// /run/natfwt/labs): what `lab down`, `exec`, `flush`, `show` and `list` need
// from the `lab up` that built it. It holds the LabSpec (the plan is
// recomputed from it: PlanLab is deterministic) and the processes started,
// each with its start time so that a recycled PID is never signalled.
//
// Format (implementation choice): UTF-8 text, one record per line, fields
// separated by single spaces, no field contains a space:
//
//   natfwt-lab 1                  format version, first line
//   name l3k9zq
//   created 1767225600            Unix seconds
//   delay-ms 20
//   loss-pct 2.5
//   rendezvous 1
//   impairment auto               what was asked
//   applied shim                  what lab up used: none, netem or shim
//   host alice port               one line per host, in spec order
//   process coturn 4242 987654    role, PID, start time (clock ticks after
//                                 boot, /proc/PID/stat field 22)
//   complete 1                    written once lab up has finished
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_LAB_STATE_H_
#define NATFWT_TOOLS_LAB_LAB_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/lab/lab_spec.h"

namespace natfwt::lab {

struct ProcessRecord {
  std::string role;  // "coturn", "shim", "rendezvous": [a-z]+.
  int64_t pid = 0;
  uint64_t start_time = 0;
};

struct LabState {
  LabSpec spec;
  int64_t created_unix = 0;
  std::string applied = "none";  // Impairment in effect: none/netem/shim.
  std::vector<ProcessRecord> processes;
  bool complete = false;
};

// The file text for `state`. Its spec must be valid (ValidateLabSpec).
std::string SerializeLabState(const LabState& state);

// Parses a state file. Errors: kDataLoss naming the line and problem for
// anything malformed, an unknown version or key, or an invalid spec.
absl::StatusOr<LabState> ParseLabState(absl::string_view text);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_LAB_STATE_H_
