// Copyright 2026 The natfwt Authors.

#include "platform/net/ip_address.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "platform/net/inet_text.h"

namespace natfwt::net {

absl::StatusOr<IpAddress> IpAddress::FromBytes(
    absl::Span<const uint8_t> bytes) {
  IpAddress address;
  if (bytes.size() == 4) {
    address.family_ = Family::kV4;
  } else if (bytes.size() == 16) {
    address.family_ = Family::kV6;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("an IP address has 4 or 16 bytes, not ", bytes.size()));
  }
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::V4(const std::array<uint8_t, 4>& bytes) {
  return *FromBytes(bytes);
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  return *FromBytes(bytes);
}

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  std::array<uint8_t, 16> bytes{};
  std::string copy(text);
  if (TextToAddress(4, copy.c_str(), bytes.data())) {
    return FromBytes(absl::MakeConstSpan(bytes.data(), 4));
  }
  if (TextToAddress(6, copy.c_str(), bytes.data())) return FromBytes(bytes);
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not an IPv4 or IPv6 address"));
}

std::string IpAddress::ToString() const {
  return AddressToText(is_v4() ? 4 : 6, bytes_.data());
}

absl::StatusOr<IpPrefix> IpPrefix::Parse(absl::string_view text) {
  size_t slash = text.find('/');
  absl::StatusOr<IpAddress> address = IpAddress::Parse(text.substr(0, slash));
  if (!address.ok()) return address.status();
  int max = address->is_v4() ? 32 : 128;
  int length = max;
  if (slash != absl::string_view::npos &&
      (!absl::SimpleAtoi(text.substr(slash + 1), &length) || length < 0 ||
       length > max || text.substr(slash + 1).empty() ||
       !std::isdigit(static_cast<unsigned char>(text[slash + 1])))) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad prefix length in '", text, "' (0-", max, ")"));
  }
  return IpPrefix{*address, length};
}

std::string IpPrefix::ToString() const {
  return absl::StrCat(address.ToString(), "/", length);
}

IpPrefix IpPrefix::Network() const {
  std::array<uint8_t, 16> bytes{};
  absl::Span<const uint8_t> in = address.bytes();
  std::copy(in.begin(), in.end(), bytes.begin());
  for (size_t i = 0; i < in.size(); ++i) {
    int bits = std::clamp(length - static_cast<int>(i) * 8, 0, 8);
    bytes[i] &= static_cast<uint8_t>(0xff00 >> bits);
  }
  return IpPrefix{
      *IpAddress::FromBytes(absl::MakeConstSpan(bytes.data(), in.size())),
      length};
}

bool IpPrefix::Contains(const IpAddress& candidate) const {
  if (candidate.family() != address.family()) return false;
  return IpPrefix{candidate, length}.Network().address == Network().address;
}

}  // namespace natfwt::net
