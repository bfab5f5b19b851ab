// Copyright 2026 The natfwt Authors.
//
// Hosts without a probe implementation: every check reports "not supported".

#include "platform/sys/host_probe.h"

namespace natfwt::sys {
namespace {
ProbeResult Unsupported() { return {false, "not supported on this OS"}; }
}  // namespace

ProbeResult ProbeTunDevice() { return Unsupported(); }
ProbeResult ProbeNetAdmin() { return Unsupported(); }
ProbeResult ProbeRoot() { return Unsupported(); }
ProbeResult ProbeNetworkNamespaces() { return Unsupported(); }
ProbeResult ProbeIpv6() { return Unsupported(); }
ProbeResult ProbeInNetworkNamespace() { return Unsupported(); }
std::optional<std::string> FindExecutable(absl::string_view) { return std::nullopt; }

}  // namespace natfwt::sys
