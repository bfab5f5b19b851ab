// Copyright 2026 The natfwt Authors.
//
// IpAddress and IpPrefix: value types for IPv4/IPv6 addresses in network byte
// order, as carried in transport IDs (spec D11: 4 or 16 raw bytes).
//
// Thread-safety: plain values.

#ifndef NATFWT_PLATFORM_NET_IP_ADDRESS_H_
#define NATFWT_PLATFORM_NET_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natfwt::net {

class IpAddress {
 public:
  enum class Family : uint8_t { kV4 = 4, kV6 = 6 };

  // The IPv4 address 0.0.0.0.
  IpAddress() = default;

  // 4 bytes make an IPv4 address, 16 an IPv6 one; any other size is
  // kInvalidArgument.
  static absl::StatusOr<IpAddress> FromBytes(absl::Span<const uint8_t> bytes);
  // Dotted quad or RFC 5952 text; no scope IDs, no brackets.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);
  static IpAddress V4(const std::array<uint8_t, 4>& bytes);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  // 4 or 16 bytes in network order.
  absl::Span<const uint8_t> bytes() const {
    return absl::MakeConstSpan(bytes_.data(), is_v4() ? 4 : 16);
  }
  size_t size() const { return is_v4() ? 4 : 16; }
  std::string ToString() const;

  bool operator==(const IpAddress& other) const {
    return family_ == other.family_ && bytes_ == other.bytes_;
  }
  bool operator!=(const IpAddress& other) const { return !(*this == other); }
  bool operator<(const IpAddress& other) const {
    return family_ != other.family_ ? family_ < other.family_
                                    : bytes_ < other.bytes_;
  }
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& address) {
    return H::combine(std::move(h), address.family_, address.bytes_);
  }

 private:
  Family family_ = Family::kV4;
  std::array<uint8_t, 16> bytes_{};  // Unused tail bytes are zero.
};

struct IpPrefix {
  IpAddress address;
  int length = 0;  // 0-32 for IPv4, 0-128 for IPv6.

  // "fd12:3456:789a:1::/64", "100.64.0.0/10". A bare address means a host
  // prefix (/32 or /128). Host bits may be set (an interface address with
  // its on-link prefix length).
  static absl::StatusOr<IpPrefix> Parse(absl::string_view text);
  std::string ToString() const;
  // The prefix with host bits cleared.
  IpPrefix Network() const;
  bool Contains(const IpAddress& candidate) const;
  bool operator==(const IpPrefix& other) const {
    return address == other.address && length == other.length;
  }
};

}  // namespace natfwt::net

#endif  // NATFWT_PLATFORM_NET_IP_ADDRESS_H_
