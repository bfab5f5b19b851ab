// Copyright 2026 The natfwt Authors.
//
// LabSpec parsing and validation.

#include "tools/lab/lab_spec.h"

#include <cmath>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace natfwt::lab {
namespace {

bool IsLowerAlnum(absl::string_view text) {
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string KindList() {
  std::vector<std::string> names;
  for (NatKind kind : AllNatKinds()) {
    names.push_back(std::string(NatKindName(kind)));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

const std::vector<NatKind>& AllNatKinds() {
  static const auto* kinds = new std::vector<NatKind>{
      NatKind::kOpen,   NatKind::kFull,      NatKind::kRestricted,
      NatKind::kPort,   NatKind::kSymmetric, NatKind::kCgnat,
      NatKind::kBlocked};
  return *kinds;
}

absl::string_view NatKindName(NatKind kind) {
  switch (kind) {
    case NatKind::kOpen:
      return "open";
    case NatKind::kFull:
      return "full";
    case NatKind::kRestricted:
      return "restricted";
    case NatKind::kPort:
      return "port";
    case NatKind::kSymmetric:
      return "symmetric";
    case NatKind::kCgnat:
      return "cgnat";
    case NatKind::kBlocked:
      return "blocked";
  }
  return "unknown";
}

absl::StatusOr<NatKind> ParseNatKind(absl::string_view text) {
  for (NatKind kind : AllNatKinds()) {
    if (NatKindName(kind) == text) return kind;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown NAT kind '", text, "' (kinds: ", KindList(), ")"));
}

absl::string_view ImpairmentName(Impairment impairment) {
  switch (impairment) {
    case Impairment::kAuto:
      return "auto";
    case Impairment::kNetem:
      return "netem";
    case Impairment::kShim:
      return "shim";
  }
  return "unknown";
}

absl::StatusOr<Impairment> ParseImpairment(absl::string_view text) {
  for (Impairment i :
       {Impairment::kAuto, Impairment::kNetem, Impairment::kShim}) {
    if (ImpairmentName(i) == text) return i;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown impairment '", text, "' (use auto, netem or shim)"));
}

absl::Status ValidateLabName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxLabNameLength || !IsLowerAlnum(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid lab name '", name, "': use 1 to ", kMaxLabNameLength,
        " characters of a-z and 0-9 (it is part of every interface name, "
        "which Linux limits to 15 bytes)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHostName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxHostNameLength || !IsLowerAlnum(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid host name '", name, "': use 1 to ",
                     kMaxHostNameLength, " characters of a-z and 0-9"));
  }
  if (name == "wan" || name == "srv") {
    return absl::InvalidArgumentError(absl::StrCat(
        "host name '", name, "' is reserved for the lab's own namespace"));
  }
  return absl::OkStatus();
}

absl::StatusOr<HostSpec> ParseHostFlag(absl::string_view text) {
  size_t eq = text.find('=');
  if (eq == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--host '", text, "' is not NAME=KIND"));
  }
  HostSpec host;
  host.name = std::string(text.substr(0, eq));
  absl::Status name_ok = ValidateHostName(host.name);
  if (!name_ok.ok()) return name_ok;
  absl::StatusOr<NatKind> kind = ParseNatKind(text.substr(eq + 1));
  if (!kind.ok()) return kind.status();
  host.kind = *kind;
  return host;
}

std::vector<HostSpec> DefaultHosts() {
  std::vector<HostSpec> hosts;
  for (NatKind kind : AllNatKinds()) {
    hosts.push_back({std::string(NatKindName(kind)), kind});
  }
  return hosts;
}

absl::Status ValidateLabSpec(const LabSpec& spec) {
  if (absl::Status s = ValidateLabName(spec.name); !s.ok()) return s;
  if (spec.hosts.empty() || spec.hosts.size() > kMaxHosts) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a lab needs 1 to ", kMaxHosts, " hosts, not ", spec.hosts.size()));
  }
  absl::flat_hash_set<std::string> seen;
  for (const HostSpec& host : spec.hosts) {
    if (absl::Status s = ValidateHostName(host.name); !s.ok()) return s;
    if (!seen.insert(host.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("host name '", host.name, "' is used twice"));
    }
  }
  if (spec.delay_ms < 0 || spec.delay_ms > kMaxDelayMs) {
    return absl::InvalidArgumentError(absl::StrCat(
        "delay ", spec.delay_ms, " ms is outside 0..", kMaxDelayMs));
  }
  if (!std::isfinite(spec.loss_pct) || spec.loss_pct < 0 ||
      spec.loss_pct > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("loss ", spec.loss_pct, "% is outside 0..100"));
  }
  return absl::OkStatus();
}

std::string GenerateLabName() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string name = "l";
  for (int i = 0; i < 5; ++i) name.push_back(kAlphabet[pick(device)]);
  return name;
}

}  // namespace natfwt::lab
