// Copyright 2026 The natfwt Authors.
//
// Provider identity (spec D7): the key under which the CP remembers which
// interfaces (LUIDs) are "already tied to the provider" across sessions
// (spec 4.2, 6.5).
//
//   * When the callback table's providerId GUID is not all-zero, the
//     identity is "guid:" + the GUID in canonical lowercase text, e.g.
//     "guid:6b29fc40-ca47-1067-b31d-00dd010662da".
//   * Otherwise it is derived from the calling account: "uid:<n>" with the
//     effective user id on POSIX systems, "sid:<SID>" with the process
//     token's user SID on Windows (e.g. "sid:S-1-5-21-1-2-3-1001").
//
// Identity strings are opaque to everything but this file: the association
// store compares them byte for byte.
//
// Thread-safety: every function is safe to call from any thread.

#ifndef NATFWT_FACADE_IDENTITY_PROVIDER_IDENTITY_H_
#define NATFWT_FACADE_IDENTITY_PROVIDER_IDENTITY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cpnatfwt.h"

namespace natfwt::cp {

// Longest identity string the store accepts (implementation choice: room for
// any SID string; a GUID identity has 41 bytes).
inline constexpr size_t kMaxProviderIdentityBytes = 256;

// True when all 16 bytes of `id` are zero ("no providerId given").
bool IsNullGuid(const GUID& id);

// The canonical lowercase text of `id` (RFC 4122 section 3 form, fields in
// GUID-struct order: Data1, Data2, Data3, Data4[0..1], Data4[2..7]), e.g.
// "6b29fc40-ca47-1067-b31d-00dd010662da". No braces.
std::string FormatGuid(const GUID& id);

// The identity for a provider (pure): "guid:<FormatGuid(provider_id)>" when
// `provider_id` is not all-zero, otherwise "uid:<effective_uid>".
std::string MakeProviderIdentity(const GUID& provider_id,
                                 uint32_t effective_uid);

// The identity of a provider in the calling process: the GUID identity when
// `provider_id` is not all-zero, else CallerAccountIdentity(). Errors: those
// of CallerAccountIdentity() (only reached when `provider_id` is all-zero).
absl::StatusOr<std::string> ProviderIdentityForCaller(const GUID& provider_id);

// The calling account's identity (per-OS): "uid:<geteuid()>" on POSIX,
// "sid:<token user SID>" on Windows. Errors: kUnimplemented on systems
// without a per-OS implementation; on Windows the mapped Win32 error of the
// token query (platform/sys/win32_status.h).
absl::StatusOr<std::string> CallerAccountIdentity();

// The effective user id of this process (per-OS: geteuid() on POSIX).
// Errors: kUnimplemented on systems without user ids (Windows: see
// CallerAccountIdentity()).
absl::StatusOr<uint32_t> EffectiveUserId();

// Checks that `identity` can be stored: 1 to kMaxProviderIdentityBytes
// bytes of printable ASCII without spaces (0x21-0x7E). Every identity this
// file makes passes. Returns kInvalidArgument naming the problem.
absl::Status ValidateProviderIdentity(absl::string_view identity);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_PROVIDER_IDENTITY_H_
