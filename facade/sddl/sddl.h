// Copyright 2026 The natfwt Authors.
//
// The SDDL subset natfwt understands (spec decision D8): who may use a
// Connectivity Platform interface, as given to
// CPNatfwtRegisterProviderInstance's `sddl` argument.
//
// Accepted grammar (Microsoft "Security Descriptor String Format"; tokens are
// upper case, no white space anywhere):
//
//   sddl     := component+            (each of O:, G:, D: at most once;
//                                      D: required)
//   component:= "O:" sid | "G:" sid | "D:" flags ace*
//   flags    := ( "P" | "AI" | "AR" )*
//   ace      := "(" "A" ";" aceflags ";" rights ";" ";" ";" trustee ")"
//   aceflags := ( "CI" | "OI" | "NP" | "IO" | "ID" )*
//   rights   := ( "GA" | "GR" | "GW" | "GX" | "FA" | "FR" | "FW" | "FX" )+
//             | "0x" 1*8HEXDIG
//   trustee  := "WD" | "S-1-1-0"            everyone
//             | "SY" | "S-1-5-18"           LocalSystem  -> uid 0 (root)
//             | "BA" | "S-1-5-32-544"       Administrators -> uid 0 (root)
//             | "S-1-22-1-" uid             Samba-style Unix user SID
//             | "S-1-22-2-" gid             Samba-style Unix group SID
//
// Semantics:
//   - Only allow ACEs ("A") exist in the subset: the interface is closed to
//     everybody not listed. Deny, audit, object, callback and resource ACEs,
//     object GUIDs, resource attributes, SACLs ("S:") and
//     "NO_ACCESS_CONTROL" are refused.
//   - The owner ("O:") and group ("G:") parts are checked for SID syntax and
//     otherwise ignored: they name who administers the descriptor, which has
//     no meaning for an interface.
//   - DACL flags (P, AI, AR) and the inheritance ACE flags CI, OI, NP, ID are
//     accepted and ignored. An ACE marked IO (inherit-only) does not apply to
//     the interface itself, so, as on Windows, it grants nothing; so does an
//     ACE whose rights mask is 0x0.
//   - Any right at all grants use of the interface (the rights are not
//     distinguished further).
//   - An empty DACL ("D:", or only ACEs that grant nothing) means nobody may
//     send through the interface. Traffic already part of a connection (for
//     example replies to inbound connections) still flows; see
//     platform/firewall/owner_filter.h.
//   - Linux can enforce this only on egress, by socket owner (the uid/gid of
//     the credentials that created the socket): see owner_filter.h.
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_FACADE_SDDL_SDDL_H_
#define NATFWT_FACADE_SDDL_SDDL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::cp {

// Implementation choice: longer descriptors are refused (a DACL of a few
// hundred ACEs fits easily).
inline constexpr size_t kMaxSddlLength = 65536;

// Who may use the interface. `uids` and `gids` are sorted and free of
// duplicates. When `everyone` is true the lists are still filled in but do not
// restrict anything.
struct SddlPolicy {
  bool everyone = false;
  std::vector<uint32_t> uids;
  std::vector<uint32_t> gids;

  bool operator==(const SddlPolicy& other) const = default;
};

// Parses `sddl` (the grammar above). Errors: kInvalidArgument naming the
// offending token and its byte offset, e.g.
//   `unsupported ACE type "D" at offset 3 (only allow ACEs "A" are accepted)`;
// also for an empty string, a missing DACL and input longer than
// kMaxSddlLength. (The runtime maps these to E_INVALIDARG.)
absl::StatusOr<SddlPolicy> ParseSddl(absl::string_view sddl);

// The same for the C API's NUL-terminated WCHAR string. Every character must
// be printable ASCII (0x20-0x7E); anything else is kInvalidArgument naming the
// code point and its offset (in characters). A NULL pointer is
// kInvalidArgument too: callers treat NULL ("no restriction") before parsing.
absl::StatusOr<SddlPolicy> ParseSddl(const wchar_t* sddl);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_SDDL_SDDL_H_
