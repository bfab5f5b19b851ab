// Copyright 2026 The natfwt Authors.
//
// What a NAT lab consists of, as the user asks for it: a name, the hosts and
// the kind of router each sits behind, and the impairment of the emulated
// internet ("wan"). Pure data and validation; lab_plan.h turns a LabSpec into
// the namespaces, links, addresses and rules that realise it.
//
//   NATFWT_ASSIGN_OR_RETURN(HostSpec host, ParseHostFlag("alice=symmetric"));
//   LabSpec spec{.name = GenerateLabName(), .hosts = {host}};
//   NATFWT_RETURN_IF_ERROR(ValidateLabSpec(spec));
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_LAB_SPEC_H_
#define NATFWT_TOOLS_LAB_LAB_SPEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::lab {

// The router in front of a host. Terms are RFC 4787's (mapping and filtering
// behaviour) and RFC 6888's (carrier-grade NAT).
enum class NatKind {
  kOpen,        // No router: the host has a public address on a wan link.
  kFull,        // Endpoint-independent mapping and filtering ("full cone").
  kRestricted,  // Endpoint-independent mapping, address-dependent filtering.
  kPort,        // Endpoint-independent mapping, address-and-port-dependent
                // filtering: Linux's plain masquerade ("port-restricted").
  kSymmetric,   // Endpoint-dependent mapping (random ports), address-and-port-
                // dependent filtering.
  kCgnat,       // A kPort home router behind a kSymmetric carrier router.
  kBlocked,     // A firewall: no UDP out, TCP out only to ports 3478 and 443.
};

// Every kind, in the order above (the default host list follows it).
const std::vector<NatKind>& AllNatKinds();
// "open", "full", "restricted", "port", "symmetric", "cgnat", "blocked".
absl::string_view NatKindName(NatKind kind);
// The inverse of NatKindName. Errors: kInvalidArgument naming the valid
// kinds.
absl::StatusOr<NatKind> ParseNatKind(absl::string_view text);

struct HostSpec {
  std::string name;
  NatKind kind = NatKind::kOpen;
};

// How delay and loss are applied (see lab_plan.h for the convention).
enum class Impairment {
  kAuto,   // netem when the kernel has it, else the NFQUEUE shim.
  kNetem,  // tc netem on the wan's interfaces; fails where netem is missing.
  kShim,   // The NFQUEUE shim (`natfwt lab shim`) in the wan namespace.
};
absl::string_view ImpairmentName(Impairment impairment);
// "auto", "netem" or "shim". Errors: kInvalidArgument.
absl::StatusOr<Impairment> ParseImpairment(absl::string_view text);

// Limits (implementation choices): a lab name is part of every interface
// name, which Linux limits to 15 bytes; host LANs are 192.168.<index+1>.0/24.
inline constexpr size_t kMaxLabNameLength = 8;
inline constexpr size_t kMaxHostNameLength = 12;
inline constexpr size_t kMaxHosts = 250;
inline constexpr int kMaxDelayMs = 10000;

struct LabSpec {
  std::string name;             // ValidateLabName.
  std::vector<HostSpec> hosts;  // 1..kMaxHosts, distinct names.
  int delay_ms = 0;             // One-way, per crossing of the wan.
  double loss_pct = 0;          // Per crossing of the wan, 0..100.
  bool rendezvous = true;       // Start `natfwt rendezvous` in the lab.
  Impairment impairment = Impairment::kAuto;

  // Whether delay or loss is asked for at all.
  bool impaired() const { return delay_ms > 0 || loss_pct > 0; }
};

// A lab name is 1..kMaxLabNameLength characters of [a-z0-9]. It is the
// lab's unique id inside every namespace ("nfl-<name>-...") and interface
// ("n<name>...") name. Errors: kInvalidArgument saying what is wrong.
absl::Status ValidateLabName(absl::string_view name);

// A host name is 1..kMaxHostNameLength characters of [a-z0-9], and not
// "wan" or "srv" (the lab's own namespaces). Errors: kInvalidArgument.
absl::Status ValidateHostName(absl::string_view name);

// Parses the --host flag's "NAME=KIND". Errors: kInvalidArgument.
absl::StatusOr<HostSpec> ParseHostFlag(absl::string_view text);

// One host per kind, each named after its kind ("open", "full", ...).
std::vector<HostSpec> DefaultHosts();

// Checks the name, every host (valid, distinct names, at most kMaxHosts),
// delay (0..kMaxDelayMs) and loss (0..100, finite). Errors: kInvalidArgument
// naming the first problem.
absl::Status ValidateLabSpec(const LabSpec& spec);

// A fresh random lab name: "l" followed by 5 characters of [a-z0-9] (from
// the system's random source), e.g. "l3k9zq".
std::string GenerateLabName();

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_LAB_SPEC_H_
