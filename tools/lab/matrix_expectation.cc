// Copyright 2026 The natfwt Authors.

#include "tools/lab/matrix_expectation.h"

namespace natfwt::lab {
namespace {

// Maps the same public port whatever the destination.
bool EndpointIndependentMapping(NatKind kind) {
  return kind == NatKind::kOpen || kind == NatKind::kFull ||
         kind == NatKind::kRestricted || kind == NatKind::kPort;
}

// Lets in packets from a new port of the peer without a mapping towards it.
bool Reachable(NatKind kind) {
  return kind == NatKind::kOpen || kind == NatKind::kFull ||
         kind == NatKind::kRestricted;
}

}  // namespace

absl::string_view PathKindName(PathKind kind) {
  return kind == PathKind::kDirect ? "direct" : "relay";
}

PathKind ExpectedPath(NatKind a, NatKind b) {
  if (a == NatKind::kBlocked || b == NatKind::kBlocked) return PathKind::kRelay;
  if (EndpointIndependentMapping(a) && EndpointIndependentMapping(b)) {
    return PathKind::kDirect;
  }
  if (Reachable(a) || Reachable(b)) return PathKind::kDirect;
  return PathKind::kRelay;
}

}  // namespace natfwt::lab
