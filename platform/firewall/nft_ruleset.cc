// Copyright 2026 The natfwt Authors.

#include "platform/firewall/nft_ruleset.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "platform/base/status_macros.h"

namespace natfwt::firewall {
namespace {

// Linux IFNAMSIZ is 16 bytes including the terminating NUL.
constexpr size_t kMaxInterfaceName = 15;

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == '-';
}

// "set NAME { type TYPE; elements = { ... } }", without the elements line
// when there are none (nft refuses "elements = { }").
std::string SetBlock(absl::string_view name, absl::string_view type,
                     std::vector<uint32_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string block = absl::StrCat("\tset ", name, " {\n\t\ttype ", type, "\n");
  if (!ids.empty()) {
    absl::StrAppend(&block, "\t\telements = { ", absl::StrJoin(ids, ", "),
                    " }\n");
  }
  absl::StrAppend(&block, "\t}\n");
  return block;
}

// The egress chain. Order matters: the interface test first, so traffic on
// other interfaces leaves this table at once.
std::string ChainBlock(absl::string_view ifname) {
  return absl::StrCat(
      "\tchain egress {\n"
      "\t\ttype filter hook output priority filter; policy accept;\n"
      "\t\toifname != \"",
      ifname, "\" accept\n",
      // Replies to inbound connections and ICMP errors about known flows:
      // the owner of the original socket is not checked on these.
      "\t\tct state established,related accept\n",
      // Kernel-generated control traffic has no owning user (RFC 4861
      // neighbour discovery, RFC 3810 / RFC 2710 MLD, RFC 3376 IGMP); only
      // the kernel or CAP_NET_RAW holders can send these.
      "\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, "
      "nd-neighbor-advert, mld-listener-report, mld-listener-done, "
      "mld2-listener-report } accept\n",
      "\t\tmeta l4proto igmp accept\n", "\t\tmeta skuid @allowed_uids accept\n",
      "\t\tmeta skgid @allowed_gids accept\n",
      "\t\tcounter drop\n"
      "\t}\n");
}

}  // namespace

absl::Status ValidateInterfaceName(absl::string_view ifname) {
  if (ifname.empty() || ifname.size() > kMaxInterfaceName) {
    return absl::InvalidArgumentError(
        absl::StrCat("interface name \"", absl::CHexEscape(ifname), "\" has ",
                     ifname.size(), " bytes; 1 to 15 are allowed"));
  }
  if (ifname == "." || ifname == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("interface name \"", ifname, "\" is reserved"));
  }
  auto bad = std::find_if_not(ifname.begin(), ifname.end(), IsNameChar);
  if (bad != ifname.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "interface name \"", absl::CHexEscape(ifname), "\" has character \"",
        absl::CHexEscape(absl::string_view(&*bad, 1)), "\" at offset ",
        bad - ifname.begin(), "; only A-Z a-z 0-9 . _ - are allowed"));
  }
  return absl::OkStatus();
}

std::string OwnerFilterTableName(absl::string_view ifname) {
  std::string table = "natfwt_";
  for (char c : ifname) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      table.push_back(c);
    } else {
      absl::StrAppend(&table,
                      absl::StrFormat("_%02x", static_cast<unsigned char>(c)));
    }
  }
  return table;
}

absl::StatusOr<std::string> OwnerFilterRuleset(
    absl::string_view ifname, const std::vector<uint32_t>& uids,
    const std::vector<uint32_t>& gids) {
  NATFWT_ASSIGN_OR_RETURN(std::string script, OwnerFilterRemoval(ifname));
  absl::StrAppend(&script, "table inet ", OwnerFilterTableName(ifname), " {\n",
                  SetBlock("allowed_uids", "uid", uids),
                  SetBlock("allowed_gids", "gid", gids), ChainBlock(ifname),
                  "}\n");
  return script;
}

absl::StatusOr<std::string> OwnerFilterRemoval(absl::string_view ifname) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceName(ifname));
  const std::string table = OwnerFilterTableName(ifname);
  // Declaring the table first makes the delete valid whether or not it
  // existed (nft's "destroy" would do the same but needs nftables 1.0.8).
  return absl::StrCat("table inet ", table, "\ndelete table inet ", table,
                      "\n");
}

}  // namespace natfwt::firewall
