// Copyright 2026 The natfwt Authors.
//
// provider_identity.h on systems without a per-OS implementation (Windows
// would derive the identity from the caller's SID: not written yet).

#include "facade/identity/provider_identity.h"

namespace natfwt::cp {

absl::StatusOr<uint32_t> EffectiveUserId() {
  return absl::UnimplementedError(
      "deriving a provider identity from the caller's account is not "
      "implemented on this system; pass a non-zero providerId GUID");
}

}  // namespace natfwt::cp
