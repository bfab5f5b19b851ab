// Copyright 2026 The natfwt Authors.
//
// Network namespaces and processes, Linux only (netns_linux.cc): running
// code inside a named namespace (/run/netns/<name>, as `ip netns` names
// them), listing namespaces, finding the processes inside them and ending
// processes by PID safely.
//
// A socket keeps the namespace it was created in, so code can open sockets
// in a lab host's namespace and use them from any thread:
//
//   NATFWT_ASSIGN_OR_RETURN(int fd, OpenSocketInNamespace(
//       "nfl-x-alice", AF_INET, SOCK_DGRAM));
//
// Thread-safety: every function may be called from any thread; each runs
// namespace-switching code on a thread of its own, never on the caller's.

#ifndef NATFWT_TOOLS_LAB_NETNS_H_
#define NATFWT_TOOLS_LAB_NETNS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/lab/lab_plan.h"
#include "tools/lab/lab_state.h"

namespace natfwt::lab {

// Where `ip netns` keeps its namespace handles.
inline constexpr absl::string_view kNetnsDir = "/run/netns";

// Runs `fn` on a fresh thread that has joined namespace `ns` and returns its
// result. Errors: kNotFound when the namespace does not exist;
// kPermissionDenied/kInternal from setns; otherwise fn's status.
absl::Status RunInNamespace(absl::string_view ns,
                            absl::FunctionRef<absl::Status()> fn);

// A socket(domain, type, 0) created inside `ns`; the caller owns the fd.
// Errors: those of RunInNamespace; kInternal from socket().
absl::StatusOr<int> OpenSocketInNamespace(absl::string_view ns, int domain,
                                          int type);

// Writes `sysctls` inside `ns` (through /proc/sys, which shows the writing
// thread's namespace). Missing optional keys are skipped. Errors: those of
// RunInNamespace; kInternal naming the key for a failed write.
absl::Status WriteSysctls(absl::string_view ns,
                          const std::vector<Sysctl>& sysctls);

// Names in /run/netns starting with `prefix` (all when empty), sorted.
std::vector<std::string> ListNamespaces(absl::string_view prefix = "");

// Processes (other than the caller) whose network namespace is one of
// `namespaces` (names in /run/netns).
std::vector<ProcessRecord> ProcessesInNamespaces(
    const std::vector<std::string>& namespaces);

// A process's start time (/proc/PID/stat field 22). Errors: kNotFound when
// it does not exist; kDataLoss for an unreadable stat line.
absl::StatusOr<uint64_t> ProcessStartTime(pid_t pid);

// Whether `record` still names a live (non-zombie) process: same PID and
// start time.
bool ProcessAlive(const ProcessRecord& record);

// Ends `processes`: SIGTERM to each one that still matches its start time,
// then waits (pidfd) up to `grace` for all, SIGKILLs the rest and waits for
// them. Reaps those that are children of the caller. Processes already gone
// are fine. Errors: kInternal when one survives SIGKILL for a second.
absl::Status EndProcesses(const std::vector<ProcessRecord>& processes,
                          std::chrono::milliseconds grace);

// Reads /proc/thread-self/net/<file> as seen from inside `ns`, e.g.
// "netfilter/nfnetlink_queue". Errors: those of RunInNamespace; kNotFound.
absl::StatusOr<std::string> ReadProcNetInNamespace(absl::string_view ns,
                                                   absl::string_view file);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_NETNS_H_
