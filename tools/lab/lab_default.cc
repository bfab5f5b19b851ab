// Copyright 2026 The natfwt Authors.
//
// The NAT lab where it is not implemented (it needs Linux network
// namespaces): every operation returns kUnimplemented.

#include "tools/lab/lab.h"

namespace natfwt::lab {
namespace {

absl::Status Unimplemented() {
  return absl::UnimplementedError(
      "the NAT lab needs Linux (network namespaces, nftables)");
}

}  // namespace

absl::Status CheckRoot() { return Unimplemented(); }

absl::StatusOr<Lab> LabUp(const LabSpec&, const LabOptions&) {
  return Unimplemented();
}

absl::Status LabDown(absl::string_view, const LabOptions&, bool*) {
  return Unimplemented();
}

absl::StatusOr<std::vector<std::string>> LabDownAll(const LabOptions&) {
  return Unimplemented();
}

absl::StatusOr<Lab> LoadLab(absl::string_view, const LabOptions&) {
  return Unimplemented();
}

absl::StatusOr<std::vector<std::string>> LabExecArgv(
    const Lab&, absl::string_view, const std::vector<std::string>&) {
  return Unimplemented();
}

absl::StatusOr<std::string> LabFlush(const Lab&, absl::string_view) {
  return Unimplemented();
}

std::vector<LabListing> ListLabs(const LabOptions&) { return {}; }

}  // namespace natfwt::lab
