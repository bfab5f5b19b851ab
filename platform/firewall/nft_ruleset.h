// Copyright 2026 The natfwt Authors.
//
// The nftables scripts behind OwnerFilter (owner_filter.h), as pure text
// generation so they can be unit-tested without privileges.
//
// For interface "cpnat0" allowing uid 0 and 1000 and gid 27, the ruleset is:
//
//   table inet natfwt_cpnat0
//   delete table inet natfwt_cpnat0
//   table inet natfwt_cpnat0 {
//   	set allowed_uids {
//   		type uid
//   		elements = { 0, 1000 }
//   	}
//   	set allowed_gids {
//   		type gid
//   		elements = { 27 }
//   	}
//   	chain egress {
//   		type filter hook output priority filter; policy accept;
//   		oifname != "cpnat0" accept
//   		ct state established,related accept
//   		icmpv6 type { nd-router-solicit, ... } accept
//   		meta l4proto igmp accept
//   		meta skuid @allowed_uids accept
//   		meta skgid @allowed_gids accept
//   		counter drop
//   	}
//   }
//
// The first two lines make the script replace any table of the same name in
// one atomic transaction (creating an empty table first, so that deleting it
// cannot fail): there is never a moment without the filter.
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_PLATFORM_FIREWALL_NFT_RULESET_H_
#define NATFWT_PLATFORM_FIREWALL_NFT_RULESET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::firewall {

// Accepts the interface names OwnerFilter can put into a ruleset safely:
// 1 to 15 bytes (Linux IFNAMSIZ - 1) of [A-Za-z0-9._-], not "." or "..".
// (The kernel allows more, but quotes, '*' wildcards and white space would
// need escaping in nft syntax; natfwt's own names are "cpnat<N>".)
// Errors: kInvalidArgument naming the problem.
absl::Status ValidateInterfaceName(absl::string_view ifname);

// The nftables table name for `ifname`: "natfwt_" followed by the name with
// every character other than [A-Za-z0-9] written as "_xx" (hex), so distinct
// interface names never share a table. `ifname` must be valid.
std::string OwnerFilterTableName(absl::string_view ifname);

// The script that installs (or atomically replaces) the owner filter for
// `ifname`: on egress through `ifname`, accept packets of established or
// related connections, IPv6 neighbour discovery / MLD and IGMP (kernel
// control traffic that has no owning user), and packets whose socket owner
// uid is in `uids` or gid is in `gids`; drop everything else. The lists may
// be empty and in any order, with duplicates. Errors: kInvalidArgument for an
// invalid `ifname`.
absl::StatusOr<std::string> OwnerFilterRuleset(
    absl::string_view ifname, const std::vector<uint32_t>& uids,
    const std::vector<uint32_t>& gids);

// The script that removes the owner filter for `ifname`; it succeeds whether
// or not the table exists. Errors: kInvalidArgument for an invalid `ifname`.
absl::StatusOr<std::string> OwnerFilterRemoval(absl::string_view ifname);

}  // namespace natfwt::firewall

#endif  // NATFWT_PLATFORM_FIREWALL_NFT_RULESET_H_
