// Copyright 2026 The natfwt Authors.
//
// The NAT lab at run time: building a planned lab (LabUp), tearing it down
// (LabDown), and the operations on a running one. Linux only, needs root
// (lab_linux.cc, lab_up_linux.cc); elsewhere every call returns
// kUnimplemented (lab_default.cc).
//
//   LabSpec spec{.name = GenerateLabName(), .hosts = DefaultHosts()};
//   NATFWT_ASSIGN_OR_RETURN(Lab lab, LabUp(spec, options));
//   ...  // run things with LabExecArgv, observe, LabFlush ...
//   NATFWT_RETURN_IF_ERROR(LabDown(lab.plan.lab, options, nullptr));
//
// LabUp, in order: creates the state directory <state_root>/<name> (its
// existence is the lock: a second LabUp of the same name fails) and writes
// the state file (lab_state.h); creates the namespaces (one `ip -batch`),
// sets their sysctls (setns on a private thread), creates the veth pairs
// (one `ip -batch`), configures each namespace (`ip -n NS -batch`, in
// parallel), loads the routers' rulesets (`ip netns exec NS nft -f -`, in
// parallel); applies delay/loss (netem or the shim); generates the TLS
// certificate; starts coturn and the rendezvous detached in the srv
// namespace, logging to the state directory, and records their PIDs; waits
// (with a deadline, polling the process so an early exit is reported at
// once) until coturn answers STUN on both addresses and accepts TCP on 3478
// and 443, and the rendezvous accepts TCP. Any failure tears down what was
// built and returns the error; a failing command's message contains its
// argv and stderr, a failing server's the end of its log.
//
// LabDown ends the recorded processes and every other process inside the
// lab's namespaces (SIGTERM, 2 s grace, SIGKILL; PIDs checked against their
// start times), deletes every namespace named "nfl-<name>-*" (which removes
// the veths with them) and the state directory. It needs no state file, so
// it also removes a half-built lab, and is idempotent.
//
// Thread-safety: the functions may be called from any thread; concurrent
// calls for the same lab are not coordinated beyond LabUp's lock.

#ifndef NATFWT_TOOLS_LAB_LAB_H_
#define NATFWT_TOOLS_LAB_LAB_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/lab/lab_plan.h"
#include "tools/lab/lab_spec.h"
#include "tools/lab/lab_state.h"

namespace natfwt::lab {

inline constexpr absl::string_view kDefaultStateRoot = "/run/natfwt/labs";

struct LabOptions {
  std::string state_root = std::string(kDefaultStateRoot);
  // The natfwt binary started as the shim and as the rendezvous. Needed when
  // the shim or the rendezvous runs.
  std::string natfwt_path;
  // Replaces `<natfwt> rendezvous --listen 203.0.113.3:443` when not empty
  // (tests use it to make the rendezvous fail).
  std::vector<std::string> rendezvous_argv;
  // How long LabUp waits for each server (coturn, the rendezvous, the
  // shim) to answer.
  std::chrono::milliseconds ready_timeout{10000};
};

// A lab as its state file and plan describe it.
struct Lab {
  LabState state;
  Plan plan;
  std::string state_dir;         // <state_root>/<name>
  std::string certificate_path;  // coturn's TLS certificate (PEM).
};

// Errors: kPermissionDenied "needs root ..." when the effective uid is not
// 0. Every function below that changes the system checks it first.
absl::Status CheckRoot();

// Builds the lab `spec` describes (see above). Errors: kPermissionDenied
// (not root); kInvalidArgument (spec); kFailedPrecondition for a missing
// tool (naming its Debian package) or missing natfwt_path; kAlreadyExists
// when a lab of that name (state directory or namespaces) exists;
// kUnavailable when netem was demanded but the kernel lacks it, or a server
// did not answer before the deadline; kInternal for a failing command or
// server (with its stderr or log).
absl::StatusOr<Lab> LabUp(const LabSpec& spec, const LabOptions& options);

// Removes lab `name` (see above). `*removed` (if not null) tells whether
// anything existed. Errors: kPermissionDenied; kInvalidArgument for a bad
// name; kInternal when a namespace or process could not be removed.
absl::Status LabDown(absl::string_view name, const LabOptions& options,
                     bool* removed);

// Removes every lab: those with a state directory and any namespaces named
// "nfl-*-*" without one. Returns the names removed. Errors: as LabDown (the
// first failure; it still tries the others).
absl::StatusOr<std::vector<std::string>> LabDownAll(const LabOptions& options);

// Reads lab `name`'s state file and recomputes its plan. Errors: kNotFound
// when there is no such lab; kDataLoss for a corrupt state file.
absl::StatusOr<Lab> LoadLab(absl::string_view name, const LabOptions& options);

// The argv that runs `command` inside `target`'s namespace of `lab` (a host,
// "wan", "srv", "r-<host>", "c-<host>"): `ip netns exec <ns> command...`.
// Errors: kNotFound for an unknown target; kInvalidArgument for an empty
// command; kFailedPrecondition when `ip` is missing.
absl::StatusOr<std::vector<std::string>> LabExecArgv(
    const Lab& lab, absl::string_view target,
    const std::vector<std::string>& command);

// Flushes the NAT state (conntrack -F) of every router in front of host
// `host`, nearest first: its mappings are forgotten, as when a NAT reboots or
// times them out, so its next packets get new mappings. Returns one line per
// router (conntrack's report); a host without routers gets a note.
// Errors: kNotFound for an unknown host; kFailedPrecondition when conntrack
// is missing; kInternal for a failing conntrack.
absl::StatusOr<std::string> LabFlush(const Lab& lab, absl::string_view host);

struct LabListing {
  std::string name;
  std::optional<Lab> lab;  // Absent when the state file is missing or bad.
  std::string problem;     // Why `lab` is absent.
  size_t namespaces = 0;   // Namespaces "nfl-<name>-*" that exist.
};

// Every lab with a state directory or namespaces, sorted by name. Needs no
// root when the state root is readable.
std::vector<LabListing> ListLabs(const LabOptions& options);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_LAB_H_
