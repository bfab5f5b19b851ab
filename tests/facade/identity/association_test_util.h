// Copyright 2026 The natfwt Authors.
//
// Valid association records for the identity tests.

#ifndef NATFWT_TESTS_FACADE_IDENTITY_ASSOCIATION_TEST_UTIL_H_
#define NATFWT_TESTS_FACADE_IDENTITY_ASSOCIATION_TEST_UTIL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "facade/identity/association_format.h"
#include "facade/identity/interface_name.h"
#include "facade/identity/luid.h"

namespace natfwt::cp::testing {

// 2026-01-01T00:00:00Z.
inline absl::Time TestEpoch() { return absl::FromUnixSeconds(1767225600); }

// A valid record for NetLuidIndex `index` (1-65535) owned by `identity`,
// named `friendly`, with prefix fd12:3456:789a:<index hex>::/64.
inline AssociationRecord MakeRecord(uint32_t index, std::string friendly,
                                    std::string identity = "uid:1000") {
  AssociationRecord record;
  record.provider_identity = std::move(identity);
  record.luid = MakeNetLuid(kIfTypeTunnel, index);
  record.friendly_name = std::move(friendly);
  record.kernel_name = KernelInterfaceName(index);
  const std::string net = absl::StrCat("fd12:3456:789a:", absl::Hex(index));
  record.ula_prefix = *net::IpPrefix::Parse(absl::StrCat(net, "::/64"));
  record.ipv6_address =
      *net::IpAddress::Parse(absl::StrCat(net, "::1234:5678"));
  record.last_used = TestEpoch() + absl::Seconds(index);
  return record;
}

}  // namespace natfwt::cp::testing

#endif  // NATFWT_TESTS_FACADE_IDENTITY_ASSOCIATION_TEST_UTIL_H_
