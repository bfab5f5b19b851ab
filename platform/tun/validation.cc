// Copyright 2026 The natfwt Authors.

#include "platform/tun/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"

namespace natfwt::tun {
namespace {

absl::Status BadName(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("kernel interface name '", name, "' ", why));
}

bool HasForbiddenByte(absl::string_view name) {
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' ||
        absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status ValidateKernelName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxKernelNameBytes) {
    return BadName(name, absl::StrCat("must have 1-", kMaxKernelNameBytes,
                                      " bytes, not ", name.size()));
  }
  if (name == "." || name == "..") return BadName(name, "is reserved");
  if (HasForbiddenByte(name)) {
    return BadName(name, "holds '/', ':', NUL or white space");
  }
  size_t percent = name.find('%');
  if (percent != absl::string_view::npos &&
      (!absl::StartsWith(name.substr(percent), "%d") ||
       name.find('%', percent + 1) != absl::string_view::npos)) {
    return BadName(name, "may hold '%' only once, as the pattern \"%d\"");
  }
  return absl::OkStatus();
}

absl::Status ValidatePrefix(const net::IpPrefix& prefix) {
  int max = prefix.address.is_v4() ? 32 : 128;
  if (prefix.length < 0 || prefix.length > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefix length ", prefix.length, " of ",
                     prefix.address.ToString(), " is outside 0-", max));
  }
  return absl::OkStatus();
}

absl::Status ValidateAddress(const net::IpPrefix& address, uint32_t mtu) {
  NATFWT_RETURN_IF_ERROR(ValidatePrefix(address));
  if (address.address.is_v6() && mtu < kMinIpv6Mtu) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IPv6 address ", address.ToString(), " needs an MTU of at least ",
        kMinIpv6Mtu, " (RFC 8200 section 5), not ", mtu));
  }
  return absl::OkStatus();
}

absl::Status ValidateInterfaceConfig(const InterfaceConfig& config) {
  if (!config.kernel_name.empty()) {
    NATFWT_RETURN_IF_ERROR(ValidateKernelName(config.kernel_name));
  }
  if (config.alias.size() > kMaxAliasBytes ||
      absl::StrContains(config.alias, '\0')) {
    return absl::InvalidArgumentError(
        absl::StrCat("alias must have at most ", kMaxAliasBytes,
                     " bytes and no NUL (has ", config.alias.size(), ")"));
  }
  if (config.mtu < kMinMtu || config.mtu > kMaxMtu) {
    return absl::InvalidArgumentError(absl::StrCat(
        "MTU ", config.mtu, " is outside ", kMinMtu, "-", kMaxMtu));
  }
  for (const net::IpPrefix& address : config.addresses) {
    NATFWT_RETURN_IF_ERROR(ValidateAddress(address, config.mtu));
  }
  for (const net::IpPrefix& route : config.routes) {
    NATFWT_RETURN_IF_ERROR(ValidatePrefix(route));
  }
  return absl::OkStatus();
}

absl::Status ValidateReadBuffers(absl::Span<const PacketBuffer> packets) {
  if (packets.empty()) {
    return absl::InvalidArgumentError("Read() needs at least one buffer");
  }
  for (size_t i = 0; i < packets.size(); ++i) {
    if (packets[i].data == nullptr || packets[i].capacity == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Read() buffer ", i, " has no storage"));
    }
  }
  return absl::OkStatus();
}

bool IsWellFormedPacket(absl::Span<const uint8_t> packet) {
  if (packet.empty() || packet.size() > kMaxPacketBytes) return false;
  uint8_t version = packet[0] >> 4;
  return version == 4 || version == 6;
}

absl::Status MalformedPacketError(absl::Span<const uint8_t> packet,
                                  size_t index) {
  if (packet.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("packet ", index, " is empty"));
  }
  if (packet.size() > kMaxPacketBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("packet ", index, " has ", packet.size(),
                     " bytes; at most ", kMaxPacketBytes, " fit"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("packet ", index, " has IP version ", packet[0] >> 4,
                   "; only 4 and 6 are accepted"));
}

}  // namespace natfwt::tun
