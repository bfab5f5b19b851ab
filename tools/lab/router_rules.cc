// Copyright 2026 The natfwt Authors.
//
// Text generation of the lab routers' nftables rulesets.

#include "tools/lab/router_rules.h"

#include "absl/strings/str_cat.h"

namespace natfwt::lab {
namespace {

bool IsCone(RouterBehaviour behaviour) {
  return behaviour == RouterBehaviour::kFullCone ||
         behaviour == RouterBehaviour::kRestrictedCone;
}

std::string Quoted(absl::string_view name) {
  return absl::StrCat("\"", name, "\"");
}

// The dynamic set a cone router keys its inbound filter on.
std::string ConeSet(RouterBehaviour behaviour) {
  std::string type = behaviour == RouterBehaviour::kFullCone
                         ? "inet_service"
                         : "ipv4_addr . inet_service";
  std::string name =
      behaviour == RouterBehaviour::kFullCone ? "mapped" : "peers";
  return absl::StrCat("\tset ", name, " {\n\t\ttype ", type,
                      "\n\t\tflags dynamic,timeout\n\t\ttimeout ",
                      kConeFilterTimeoutSeconds, "s\n\t}\n");
}

std::string Prerouting(RouterBehaviour behaviour, absl::string_view wan,
                       absl::string_view host) {
  std::string match = behaviour == RouterBehaviour::kFullCone
                          ? "udp dport @mapped"
                          : "ip saddr . udp dport @peers";
  return absl::StrCat(
      "\tchain prerouting {\n"
      "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
      "\t\tiifname ",
      Quoted(wan), " ", match, " dnat to ", host, "\n\t}\n");
}

std::string Input(absl::string_view lan) {
  return absl::StrCat(
      "\tchain input {\n"
      "\t\ttype filter hook input priority filter; policy drop;\n"
      "\t\tiif \"lo\" accept\n"
      "\t\tct state established,related accept\n"
      "\t\tiifname ",
      Quoted(lan), " accept\n\t}\n");
}

std::string Forward(RouterBehaviour behaviour, absl::string_view wan,
                    absl::string_view lan) {
  std::string out_dir =
      absl::StrCat("iifname ", Quoted(lan), " oifname ", Quoted(wan));
  std::string text =
      "\tchain forward {\n"
      "\t\ttype filter hook forward priority filter; policy drop;\n";
  // The set updates come before the established/related shortcut so that
  // every outgoing packet refreshes the element's timeout.
  if (behaviour == RouterBehaviour::kFullCone) {
    absl::StrAppend(&text, "\t\t", out_dir,
                    " meta l4proto udp update @mapped { udp sport }\n");
  } else if (behaviour == RouterBehaviour::kRestrictedCone) {
    absl::StrAppend(
        &text, "\t\t", out_dir,
        " meta l4proto udp update @peers { ip daddr . udp sport }\n");
  }
  absl::StrAppend(&text, "\t\tct state established,related accept\n");
  if (behaviour == RouterBehaviour::kBlocked) {
    absl::StrAppend(&text, "\t\t", out_dir,
                    " tcp dport { 443, 3478 } accept\n");
  } else {
    absl::StrAppend(&text, "\t\t", out_dir, " accept\n");
  }
  if (IsCone(behaviour)) {
    absl::StrAppend(&text, "\t\tiifname ", Quoted(wan), " oifname ",
                    Quoted(lan), " ct status dnat accept\n");
  }
  absl::StrAppend(&text, "\t}\n");
  return text;
}

std::string Postrouting(RouterBehaviour behaviour, absl::string_view wan) {
  return absl::StrCat(
      "\tchain postrouting {\n"
      "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
      "\t\toifname ",
      Quoted(wan), " masquerade",
      behaviour == RouterBehaviour::kSymmetric ? " fully-random" : "",
      "\n\t}\n");
}

}  // namespace

absl::string_view RouterBehaviourName(RouterBehaviour behaviour) {
  switch (behaviour) {
    case RouterBehaviour::kFullCone:
      return "full cone";
    case RouterBehaviour::kRestrictedCone:
      return "address-restricted cone";
    case RouterBehaviour::kPortRestricted:
      return "port-restricted cone";
    case RouterBehaviour::kSymmetric:
      return "symmetric";
    case RouterBehaviour::kBlocked:
      return "blocked";
  }
  return "unknown";
}

std::string RouterRuleset(RouterBehaviour behaviour, absl::string_view wan_if,
                          absl::string_view lan_if,
                          absl::string_view host_address) {
  // Creating the table first makes the delete succeed whether or not it
  // existed; the whole script is one transaction.
  std::string text =
      absl::StrCat("table ip ", kRouterTable, "\ndelete table ip ",
                   kRouterTable, "\ntable ip ", kRouterTable,
                   " {\n\tcomment \"", RouterBehaviourName(behaviour), "\"\n");
  if (IsCone(behaviour)) {
    absl::StrAppend(&text, ConeSet(behaviour),
                    Prerouting(behaviour, wan_if, host_address));
  }
  absl::StrAppend(&text, Input(lan_if), Forward(behaviour, wan_if, lan_if),
                  Postrouting(behaviour, wan_if), "}\n");
  return text;
}

}  // namespace natfwt::lab
