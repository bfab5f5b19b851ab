// Copyright 2026 The natfwt Authors.

#include "tests/support/prerequisites.h"

#include <cstdlib>
#include <cstring>

#include "platform/sys/host_probe.h"

namespace natfwt::testing {

bool HaveNetAdmin() {
  return sys::ProbeNetAdmin().ok && sys::ProbeTunDevice().ok;
}

bool HaveNetworkNamespaces() {
  return sys::ProbeRoot().ok && HaveNetAdmin() &&
         sys::ProbeNetworkNamespaces().ok;
}

std::optional<std::string> FindTool(absl::string_view name) {
  return sys::FindExecutable(name);
}

bool InContinuousIntegration() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0;
}

}  // namespace natfwt::testing
