// Copyright 2026 The natfwt Authors.
//
// identity_store.h for systems without an implementation yet (Windows
// needs ACLs instead of modes): every operation is kUnimplemented.

#include "engine/secure/identity_store.h"

namespace natfwt::secure::identity_store {
namespace {

absl::Status Unimplemented() {
  return absl::UnimplementedError(
      "persistent identities are not implemented on this operating system; "
      "use an in-memory identity");
}

}  // namespace

absl::Status PreparePrivateDirectory(const std::string&) {
  return Unimplemented();
}

absl::StatusOr<std::optional<std::string>> ReadPrivateFile(const std::string&,
                                                           size_t) {
  return Unimplemented();
}

absl::Status CreatePrivateFile(const std::string&, absl::string_view) {
  return Unimplemented();
}

}  // namespace natfwt::secure::identity_store
