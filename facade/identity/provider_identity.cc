// Copyright 2026 The natfwt Authors.

#include "facade/identity/provider_identity.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace natfwt::cp {

bool IsNullGuid(const GUID& id) {
  if (id.Data1 != 0 || id.Data2 != 0 || id.Data3 != 0) return false;
  for (uint8_t byte : id.Data4) {
    if (byte != 0) return false;
  }
  return true;
}

std::string FormatGuid(const GUID& id) {
  const uint8_t* d = id.Data4;
  return absl::StrFormat("%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         static_cast<uint32_t>(id.Data1), id.Data2, id.Data3,
                         d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
}

std::string MakeProviderIdentity(const GUID& provider_id,
                                 uint32_t effective_uid) {
  if (!IsNullGuid(provider_id))
    return absl::StrCat("guid:", FormatGuid(provider_id));
  return absl::StrCat("uid:", effective_uid);
}

absl::StatusOr<std::string> ProviderIdentityForCaller(const GUID& provider_id) {
  if (!IsNullGuid(provider_id)) return MakeProviderIdentity(provider_id, 0);
  return CallerAccountIdentity();
}

absl::Status ValidateProviderIdentity(absl::string_view identity) {
  if (identity.empty() || identity.size() > kMaxProviderIdentityBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "provider identity must have 1-", kMaxProviderIdentityBytes, " bytes"));
  }
  for (char c : identity) {
    if (c < '!' || c > '~') {
      return absl::InvalidArgumentError(
          absl::StrFormat("provider identity contains byte 0x%02X",
                          static_cast<unsigned char>(c)));
    }
  }
  return absl::OkStatus();
}

}  // namespace natfwt::cp
