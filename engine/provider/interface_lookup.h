// Copyright 2026 The natfwt Authors.
//
// Which kernel network interface holds an address: how the provider learns
// the name of its Connectivity Platform interface for `natfwt status`. The
// public API (cpnatfwt.h) returns only the interface's LUID, while the CP
// puts the provider's transport IDs on that interface, so the interface
// holding the first transport ID is the one.
//
// One file per OS: interface_lookup_posix.cc (getifaddrs),
// interface_lookup_default.cc (nothing found).
//
// Thread-safety: stateless.

#ifndef NATFWT_ENGINE_PROVIDER_INTERFACE_LOOKUP_H_
#define NATFWT_ENGINE_PROVIDER_INTERFACE_LOOKUP_H_

#include <optional>
#include <string>

#include "platform/net/ip_address.h"

namespace natfwt::provider {

// The name of the interface that has `address` assigned, or nullopt when
// none has it (an in-memory interface, or it went away) or the OS cannot
// tell.
std::optional<std::string> InterfaceHolding(const net::IpAddress& address);

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_INTERFACE_LOOKUP_H_
