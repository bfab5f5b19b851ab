// Copyright 2026 The natfwt Authors.
//
// POSIX part of provider_identity.h: the effective user id.

#include <unistd.h>

#include "facade/identity/provider_identity.h"

namespace natfwt::cp {

absl::StatusOr<uint32_t> EffectiveUserId() {
  return static_cast<uint32_t>(geteuid());
}

absl::StatusOr<std::string> CallerAccountIdentity() {
  return MakeProviderIdentity(GUID{}, static_cast<uint32_t>(geteuid()));
}

}  // namespace natfwt::cp
