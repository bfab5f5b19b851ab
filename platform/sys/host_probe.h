// Copyright 2026 The natfwt Authors.
//
// Facts about this host that decide what traversal can do here, each checked
// by trying it (opening the device, creating the namespace), not by guessing
// from file presence. Used by `natfwt doctor` and by tests that need a
// prerequisite.
//
// Thread-safety: every function is safe to call from any thread; none keeps
// state.

#ifndef NATFWT_PLATFORM_SYS_HOST_PROBE_H_
#define NATFWT_PLATFORM_SYS_HOST_PROBE_H_

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace natfwt::sys {

// The outcome of one check: whether it holds and a human-readable detail
// (what was tried, and the errno text when it failed).
struct ProbeResult {
  bool ok = false;
  std::string detail;
};

// The TUN driver: /dev/net/tun opens and a (non-persistent) TUN interface can
// be created and is removed again.
ProbeResult ProbeTunDevice();

// The process holds CAP_NET_ADMIN in its effective set.
ProbeResult ProbeNetAdmin();

// Whether this process runs as uid 0.
ProbeResult ProbeRoot();

// A child process can create a new network namespace (unshare(CLONE_NEWNET)).
ProbeResult ProbeNetworkNamespaces();

// IPv6 is enabled: the sysctl does not disable it and an AF_INET6 UDP socket
// can be created.
ProbeResult ProbeIpv6();

// Whether this process currently runs in a network namespace other than the
// initial one (compares /proc/self/ns/net with PID 1's when readable).
ProbeResult ProbeInNetworkNamespace();

// Looks `name` up in $PATH and the sbin directories; returns the full path of
// the first executable found.
std::optional<std::string> FindExecutable(absl::string_view name);

}  // namespace natfwt::sys

#endif  // NATFWT_PLATFORM_SYS_HOST_PROBE_H_
