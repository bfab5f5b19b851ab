// Copyright 2026 The natfwt Authors.
//
// Operating systems without a kernel interface backend yet (Windows' Wintun
// backend comes later): creation is unimplemented and there are no aliases
// to clash with.

#include "absl/status/status.h"
#include "platform/tun/interface_aliases.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::tun {

absl::StatusOr<std::unique_ptr<VirtualInterface>> CreateKernelInterface(
    const InterfaceConfig& config) {
  return absl::UnimplementedError(
      "no kernel virtual interface backend on this OS (asked for '" +
      config.kernel_name + "')");
}

absl::StatusOr<std::vector<std::string>> ListInterfaceAliases() {
  return std::vector<std::string>{};
}

}  // namespace natfwt::tun
