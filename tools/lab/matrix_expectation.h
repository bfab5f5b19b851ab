// Copyright 2026 The natfwt Authors.
//
// What the traversal matrix expects of each pair of NAT kinds: a direct path
// or a relayed one.
//
// Plain hole punching with peer-reflexive learning (ICE, RFC 8445) finds a
// direct path when both sides map endpoint-independently, or when one side
// is reachable without a prior mapping of its own towards the other's new
// port: public (`open`), `full` cone or `restricted` cone (address-dependent
// filtering lets the other side's packets in from any port of an address it
// has sent to). A UDP-blocked host has no direct path at all: it relays over
// TURN/TCP. Everything else relays: `port` (port-restricted) with
// `symmetric` or `cgnat` (both map per destination), and those two with
// each other. Measured on these machines: /work/shared/notes/nat-lab.md.
//
// Pure; the table is symmetric.

#ifndef NATFWT_TOOLS_LAB_MATRIX_EXPECTATION_H_
#define NATFWT_TOOLS_LAB_MATRIX_EXPECTATION_H_

#include "absl/strings/string_view.h"
#include "tools/lab/lab_spec.h"

namespace natfwt::lab {

enum class PathKind { kDirect, kRelay };
absl::string_view PathKindName(PathKind kind);  // "direct", "relay"

PathKind ExpectedPath(NatKind a, NatKind b);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_MATRIX_EXPECTATION_H_
