// Copyright 2026 The natfwt Authors.

#include "facade/identity/address_plan.h"

#include <algorithm>
#include <array>

#include "absl/container/flat_hash_set.h"
#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"

namespace natfwt::cp {
namespace {

// RFC 4193 section 3.1: fc00::/7 with the L bit set.
constexpr uint8_t kUlaFirstByte = 0xfd;

// RFC 2526 section 2 / RFC 5453 section 3 reserved identifier ranges.
constexpr uint64_t kEui64AnycastFirst = 0xFDFFFFFFFFFFFF80ull;
constexpr uint64_t kEui64AnycastLast = 0xFDFFFFFFFFFFFFFFull;
constexpr uint64_t kNonEui64AnycastFirst = 0xFFFFFFFFFFFFFF80ull;
constexpr uint64_t kIanaEthernetFirst = 0x02005EFFFE000000ull;
constexpr uint64_t kIanaEthernetLast = 0x02005EFFFEFFFFFFull;

void StoreBigEndian(uint64_t value, uint8_t* out, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(value & 0xff);
    value >>= 8;
  }
}

uint32_t LoadBigEndian32(absl::Span<const uint8_t> bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
         (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
}

net::IpAddress MakeV6(const net::IpPrefix& prefix64, uint64_t iid) {
  std::array<uint8_t, 16> bytes{};
  const net::IpPrefix network = prefix64.Network();
  std::copy_n(network.address.bytes().begin(), 8, bytes.begin());
  StoreBigEndian(iid, bytes.data() + 8, 8);
  return net::IpAddress::V6(bytes);
}

net::IpAddress MakeV4(uint32_t value) {
  std::array<uint8_t, 4> bytes{};
  StoreBigEndian(value, bytes.data(), 4);
  return net::IpAddress::V4(bytes);
}

}  // namespace

net::IpPrefix DefaultIpv4Pool() {
  return net::IpPrefix{net::IpAddress::V4({100, 64, 0, 0}), 10};
}

net::IpPrefix RandomUlaPrefix(absl::BitGenRef gen) {
  // 40-bit Global ID followed by the 16-bit Subnet ID: 56 random bits.
  const uint64_t random = absl::Uniform<uint64_t>(gen);
  std::array<uint8_t, 16> bytes{};
  bytes[0] = kUlaFirstByte;
  StoreBigEndian(random & ((uint64_t{1} << 56) - 1), bytes.data() + 1, 7);
  return net::IpPrefix{net::IpAddress::V6(bytes), 64};
}

bool IsReservedInterfaceId(uint64_t iid) {
  return iid == 0 || (iid >= kEui64AnycastFirst && iid <= kEui64AnycastLast) ||
         iid >= kNonEui64AnycastFirst ||
         (iid >= kIanaEthernetFirst && iid <= kIanaEthernetLast);
}

absl::StatusOr<net::IpAddress> RandomInterfaceAddress(
    const net::IpPrefix& ula64, absl::BitGenRef gen,
    const std::vector<net::IpAddress>& avoid) {
  if (!ula64.address.is_v6() || ula64.length != 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "interface address needs an IPv6 /64, not ", ula64.ToString()));
  }
  const absl::flat_hash_set<net::IpAddress> avoided(avoid.begin(), avoid.end());
  for (int draw = 0; draw < kMaxInterfaceIdDraws; ++draw) {
    const uint64_t iid = absl::Uniform<uint64_t>(gen);
    if (IsReservedInterfaceId(iid)) continue;
    net::IpAddress candidate = MakeV6(ula64, iid);
    if (!avoided.contains(candidate)) return candidate;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "no usable interface identifier in ", ula64.Network().ToString(),
      " after ", kMaxInterfaceIdDraws, " random draws"));
}

absl::StatusOr<net::IpAddress> RandomIpv4Address(
    const net::IpPrefix& pool, absl::BitGenRef gen,
    const std::vector<net::IpAddress>& avoid) {
  if (!pool.address.is_v4() || pool.length < 0 || pool.length > 30) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an IPv4 pool must be an IPv4 prefix of /30 or shorter, not ",
        pool.ToString()));
  }
  const net::IpPrefix network_prefix = pool.Network();
  const uint32_t network = LoadBigEndian32(network_prefix.address.bytes());
  // Host offsets 1 .. size-2: neither the network nor the broadcast address.
  const uint64_t hosts = (uint64_t{1} << (32 - pool.length)) - 2;
  const absl::flat_hash_set<net::IpAddress> avoided(avoid.begin(), avoid.end());
  const uint64_t start = absl::Uniform<uint64_t>(gen, 0, hosts);
  // At most avoided.size() consecutive candidates can be avoided.
  const uint64_t steps = std::min<uint64_t>(hosts, avoided.size() + 1);
  for (uint64_t step = 0; step < steps; ++step) {
    const uint64_t offset = 1 + (start + step) % hosts;
    net::IpAddress candidate = MakeV4(network + static_cast<uint32_t>(offset));
    if (!avoided.contains(candidate)) return candidate;
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "every host address of ", pool.Network().ToString(), " is in use"));
}

}  // namespace natfwt::cp
