// Copyright 2026 The natfwt Authors.
//
// OwnerFilter: "only these local users and groups may send through interface
// IFNAME", the Linux enforcement of a registration's SDDL (spec decision D8,
// section 9).
//
//   NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<OwnerFilter> filter,
//                           OwnerFilter::Install("cpnat0", {0, 1000}, {}));
//   ...                        // only root and uid 1000 can send via cpnat0
//   filter.reset();            // or filter->Remove(): everyone can again
//
// Linux implementation (owner_filter_linux.cc): an nftables table of its own
// per interface, "natfwt_<ifname>" in the inet family (IPv4 and IPv6), whose
// output-hook chain drops packets leaving through IFNAME unless their socket
// is owned by a listed uid or gid (nft_ruleset.h shows the rules). The `nft`
// program applies it; each change is one atomic nftables transaction.
//
// Limits, all from what the kernel can observe (documented rather than
// hidden, as D8 says):
//   - Egress only. The owner of a socket is known only for locally generated
//     packets; inbound packets are not filtered, and replies on connections
//     that a peer opened (ct state established/related) leave freely, so an
//     unlisted user's server still answers peers that reach it.
//   - Owner = the credentials that created the socket (its file's fsuid and
//     fsgid), not the sending process's current ones: a socket created by
//     root and handed to another process sends as root.
//   - Groups match only the socket's primary (fs) group, never supplementary
//     groups (nftables has no match for them): list the group as the users'
//     primary group, or list the users.
//   - Kernel control traffic with no owning socket (IPv6 neighbour discovery,
//     MLD, IGMP) is always allowed; only the kernel or CAP_NET_RAW can send
//     it.
//   - Root (CAP_NET_ADMIN) can remove the table; this is policy for
//     applications, not a defence against administrators.
//
// Thread-safety: distinct OwnerFilter objects may be used from any threads;
// one object's methods must not be called concurrently. At most one live
// OwnerFilter per interface name exists in a process.

#ifndef NATFWT_PLATFORM_FIREWALL_OWNER_FILTER_H_
#define NATFWT_PLATFORM_FIREWALL_OWNER_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::firewall {

class OwnerFilter {
 public:
  // Installs the filter for `ifname` (which need not exist yet: the match is
  // by name). Empty `uids` and `gids` mean nobody may send (only traffic of
  // established connections leaves). A table of the same name left behind by
  // an earlier process is replaced atomically.
  // Errors:
  //   kInvalidArgument  `ifname` is not 1-15 bytes of [A-Za-z0-9._-];
  //   kAlreadyExists    this process already has a filter on `ifname`;
  //   kUnavailable      the nft program is not installed;
  //   kPermissionDenied nft lacks CAP_NET_ADMIN;
  //   kInternal         nft failed otherwise (message holds its output);
  //   kUnimplemented    on systems other than Linux.
  static absl::StatusOr<std::unique_ptr<OwnerFilter>> Install(
      absl::string_view ifname, const std::vector<uint32_t>& uids,
      const std::vector<uint32_t>& gids);

  OwnerFilter(const OwnerFilter&) = delete;
  OwnerFilter& operator=(const OwnerFilter&) = delete;

  // Removes the filter (see Remove()); a failure is logged.
  ~OwnerFilter();

  // Atomically replaces the allowed uids and gids. Errors as Install(), plus
  // kFailedPrecondition after a successful Remove().
  absl::Status Update(const std::vector<uint32_t>& uids,
                      const std::vector<uint32_t>& gids);

  // Removes the filter; everyone may send through the interface again.
  // Idempotent, and succeeds when the table was already deleted by someone
  // else. Errors: kUnavailable, kPermissionDenied, kInternal as Install();
  // the filter then counts as still installed and may be removed again.
  absl::Status Remove();

  const std::string& interface_name() const { return ifname_; }
  // The nftables table holding the filter (family inet).
  const std::string& table_name() const { return table_; }
  bool installed() const { return installed_; }

 private:
  explicit OwnerFilter(absl::string_view ifname);

  std::string ifname_;
  std::string table_;
  bool installed_ = false;
};

}  // namespace natfwt::firewall

#endif  // NATFWT_PLATFORM_FIREWALL_OWNER_FILTER_H_
