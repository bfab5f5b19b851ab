// Copyright 2026 The natfwt Authors.
//
// The aliases (friendly names) of the interfaces that exist now, so the
// runtime can make a new friendly name unique (spec 6.5: "a numeric suffix
// is added on a clash").
//
// Thread-safety: safe to call from any thread.

#ifndef NATFWT_PLATFORM_TUN_INTERFACE_ALIASES_H_
#define NATFWT_PLATFORM_TUN_INTERFACE_ALIASES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace natfwt::tun {

// Returns the alias of every interface in this process's network namespace
// that has a non-empty one (Linux: IFLA_IFALIAS from an RTM_GETLINK dump,
// what /sys/class/net/*/ifalias shows when sysfs belongs to the same
// namespace), in interface order. Needs no privileges. Errors: as the
// netlink socket reports them (kPermissionDenied, kResourceExhausted,
// kInternal for a malformed answer); kAborted when the list kept changing
// during three attempts. On an OS without a kernel backend (tun_default.cc):
// an empty list.
absl::StatusOr<std::vector<std::string>> ListInterfaceAliases();

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_INTERFACE_ALIASES_H_
