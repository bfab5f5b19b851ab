// Copyright 2026 The natfwt Authors.

#include "engine/probe/nat_behavior.h"

#include <array>
#include <vector>

namespace natfwt::probe {
namespace {

// Mapping and filtering share names: RFC 4787 uses the same three terms.
static_assert(static_cast<int>(MappingBehavior::kEndpointIndependent) == 1 &&
              static_cast<int>(MappingBehavior::kAddressDependent) == 2 &&
              static_cast<int>(MappingBehavior::kAddressAndPortDependent) == 3);
static_assert(static_cast<int>(FilteringBehavior::kEndpointIndependent) == 1 &&
              static_cast<int>(FilteringBehavior::kAddressDependent) == 2 &&
              static_cast<int>(FilteringBehavior::kAddressAndPortDependent) ==
                  3);

absl::string_view BehaviorName(int value) {
  switch (value) {
    case 1:
      return "endpoint-independent";
    case 2:
      return "address-dependent";
    case 3:
      return "address-and-port-dependent";
    default:
      return "unknown";
  }
}

net::IpPrefix Prefix(const char* text) { return *net::IpPrefix::Parse(text); }

// Private IPv4/IPv6 blocks; the index names the realm in EstimateNatDepth.
const std::vector<net::IpPrefix>& PrivateBlocks() {
  static const auto* blocks = new std::vector<net::IpPrefix>{
      Prefix("10.0.0.0/8"),     Prefix("172.16.0.0/12"),
      Prefix("192.168.0.0/16"), Prefix("100.64.0.0/10"),
      Prefix("fc00::/7"),       Prefix("169.254.0.0/16"),
      Prefix("127.0.0.0/8"),    Prefix("fe80::/10"),
      Prefix("::1/128")};
  return *blocks;
}

// The private block holding `address`, or -1.
int RealmOf(const net::IpAddress& address) {
  const std::vector<net::IpPrefix>& blocks = PrivateBlocks();
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].Contains(address)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

absl::string_view MappingBehaviorName(MappingBehavior behavior) {
  return BehaviorName(static_cast<int>(behavior));
}

absl::string_view FilteringBehaviorName(FilteringBehavior behavior) {
  return BehaviorName(static_cast<int>(behavior));
}

absl::string_view PortAllocationName(PortAllocation allocation) {
  switch (allocation) {
    case PortAllocation::kPreserving:
      return "preserving";
    case PortAllocation::kSequential:
      return "sequential";
    case PortAllocation::kRandom:
      return "random";
    case PortAllocation::kUnknown:
      break;
  }
  return "unknown";
}

absl::string_view NatTypeName(NatType type) {
  switch (type) {
    case NatType::kUdpBlocked:
      return "udp-blocked";
    case NatType::kOpen:
      return "open";
    case NatType::kFullCone:
      return "full-cone";
    case NatType::kRestrictedCone:
      return "restricted-cone";
    case NatType::kPortRestrictedCone:
      return "port-restricted-cone";
    case NatType::kSymmetric:
      return "symmetric";
    case NatType::kCgnat:
      return "cgnat";
    case NatType::kUnknown:
      break;
  }
  return "unknown";
}

MappingBehavior ClassifyMapping(const net::UdpEndpoint& test1,
                                const std::optional<net::UdpEndpoint>& test2,
                                const std::optional<net::UdpEndpoint>& test3) {
  if (!test2) return MappingBehavior::kUnknown;
  if (*test2 == test1) return MappingBehavior::kEndpointIndependent;
  if (!test3) return MappingBehavior::kUnknown;
  return *test3 == *test2 ? MappingBehavior::kAddressDependent
                          : MappingBehavior::kAddressAndPortDependent;
}

FilteringBehavior ClassifyFiltering(bool ip_and_port_answered,
                                    std::optional<bool> port_answered) {
  if (ip_and_port_answered) return FilteringBehavior::kEndpointIndependent;
  if (!port_answered) return FilteringBehavior::kUnknown;
  return *port_answered ? FilteringBehavior::kAddressDependent
                        : FilteringBehavior::kAddressAndPortDependent;
}

PortAllocation ClassifyPortAllocation(absl::Span<const PortSample> samples) {
  if (samples.empty()) return PortAllocation::kUnknown;
  bool preserved = true;
  for (const PortSample& sample : samples) {
    preserved = preserved && sample.mapped_port == sample.local_port;
  }
  if (preserved) return PortAllocation::kPreserving;
  if (samples.size() < kMinPortSamples) return PortAllocation::kUnknown;
  const size_t steps = samples.size() - 1;
  size_t outliers = 0;
  for (size_t i = 0; i < steps; ++i) {
    const int step =
        (samples[i + 1].mapped_port - samples[i].mapped_port + 65536) % 65536;
    if (step < 1 || step > kMaxSequentialStep) ++outliers;
  }
  return outliers <= steps / 4 ? PortAllocation::kSequential
                               : PortAllocation::kRandom;
}

bool IsSharedAddress(const net::IpAddress& address) {
  static const net::IpPrefix shared = Prefix("100.64.0.0/10");
  return shared.Contains(address);
}

bool IsPrivateAddress(const net::IpAddress& address) {
  return RealmOf(address) >= 0;
}

int EstimateNatDepth(absl::Span<const PathHop> hops, bool behind_nat,
                     const net::IpAddress& mapped) {
  if (!behind_nat) return 0;
  const int mapped_realm = RealmOf(mapped);
  std::vector<int> realms;
  for (const PathHop& hop : hops) {
    if (!hop.address) continue;
    const int realm = RealmOf(*hop.address);
    // The first public hop, or the realm the server saw: past every NAT.
    if (realm < 0 || realm == mapped_realm) break;
    if (realms.empty() || realms.back() != realm) realms.push_back(realm);
  }
  return realms.empty() ? 1 : static_cast<int>(realms.size());
}

bool CarrierGradeNatSeen(absl::Span<const PathHop> hops,
                         const net::IpAddress& local,
                         const net::IpAddress& mapped) {
  if (local == mapped) return false;  // No NAT at all.
  if (IsSharedAddress(local) || IsSharedAddress(mapped)) return true;
  for (const PathHop& hop : hops) {
    if (hop.address && IsSharedAddress(*hop.address)) return true;
  }
  return false;
}

NatType SummarizeNat(const NatEvidence& evidence) {
  if (!evidence.answered) return NatType::kUdpBlocked;
  if (!evidence.behind_nat) return NatType::kOpen;
  if (evidence.carrier_grade) return NatType::kCgnat;
  switch (evidence.mapping) {
    case MappingBehavior::kAddressDependent:
    case MappingBehavior::kAddressAndPortDependent:
      return NatType::kSymmetric;
    case MappingBehavior::kEndpointIndependent:
      break;
    case MappingBehavior::kUnknown:
      return NatType::kUnknown;
  }
  switch (evidence.filtering) {
    case FilteringBehavior::kEndpointIndependent:
      return NatType::kFullCone;
    case FilteringBehavior::kAddressDependent:
      return NatType::kRestrictedCone;
    case FilteringBehavior::kAddressAndPortDependent:
      return NatType::kPortRestrictedCone;
    case FilteringBehavior::kUnknown:
      break;
  }
  return NatType::kUnknown;
}

}  // namespace natfwt::probe
