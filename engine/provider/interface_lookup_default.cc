// Copyright 2026 The natfwt Authors.
//
// InterfaceHolding() where natfwt has no way to list interface addresses.

#include "engine/provider/interface_lookup.h"

namespace natfwt::provider {

std::optional<std::string> InterfaceHolding(const net::IpAddress& /*address*/) {
  return std::nullopt;
}

}  // namespace natfwt::provider
