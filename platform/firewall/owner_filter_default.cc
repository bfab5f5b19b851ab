// Copyright 2026 The natfwt Authors.
//
// OwnerFilter where natfwt has no owner-match backend (everything but Linux;
// Windows will use WFP filters, spec section 9).

#include "platform/base/status_macros.h"
#include "platform/firewall/nft_ruleset.h"
#include "platform/firewall/owner_filter.h"

namespace natfwt::firewall {

OwnerFilter::OwnerFilter(absl::string_view ifname)
    : ifname_(ifname), table_(OwnerFilterTableName(ifname)) {}

absl::StatusOr<std::unique_ptr<OwnerFilter>> OwnerFilter::Install(
    absl::string_view ifname, const std::vector<uint32_t>&,
    const std::vector<uint32_t>&) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceName(ifname));
  return absl::UnimplementedError(
      "restricting an interface to local users is not implemented on this "
      "system");
}

OwnerFilter::~OwnerFilter() = default;

absl::Status OwnerFilter::Update(const std::vector<uint32_t>&,
                                 const std::vector<uint32_t>&) {
  return absl::UnimplementedError(
      "restricting an interface to local users is not implemented on this "
      "system");
}

absl::Status OwnerFilter::Remove() { return absl::OkStatus(); }

}  // namespace natfwt::firewall
