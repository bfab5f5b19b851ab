// Copyright 2026 The natfwt Authors.
//
// STUN Binding request/response, the lab's subset.

#include "tools/lab/stun_binding.h"

#include <algorithm>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"

namespace natfwt::lab {
namespace {

constexpr size_t kHeaderSize = 20;

void Put16(std::vector<uint8_t>* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

void Put32(std::vector<uint8_t>* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v));
}

uint16_t Get16(absl::Span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

uint32_t Get32(absl::Span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(Get16(b, at)) << 16 | Get16(b, at + 2);
}

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not a STUN Binding success response: ", why));
}

// An address attribute's value (RFC 8489 section 14.1/14.2): reserved,
// family, port, IPv4 address; XORed with the magic cookie when `xored`.
std::optional<StunAddress> DecodeAddress(absl::Span<const uint8_t> value,
                                         bool xored) {
  if (value.size() != 8 || value[1] != 0x01) return std::nullopt;  // IPv4.
  uint16_t port = Get16(value, 2);
  uint32_t ip = Get32(value, 4);
  if (xored) {
    port ^= static_cast<uint16_t>(kStunMagicCookie >> 16);
    ip ^= kStunMagicCookie;
  }
  return StunAddress{absl::StrCat(ip >> 24, ".", (ip >> 16) & 0xff, ".",
                                  (ip >> 8) & 0xff, ".", ip & 0xff),
                     port};
}

}  // namespace

StunTransactionId NewStunTransactionId() {
  std::random_device device;
  StunTransactionId id;
  for (uint8_t& byte : id) byte = static_cast<uint8_t>(device());
  return id;
}

std::vector<uint8_t> BuildBindingRequest(const StunTransactionId& id,
                                         uint32_t change_flags) {
  std::vector<uint8_t> out;
  Put16(&out, kStunBindingRequest);
  Put16(&out, change_flags != 0 ? 8 : 0);
  Put32(&out, kStunMagicCookie);
  out.insert(out.end(), id.begin(), id.end());
  if (change_flags != 0) {
    Put16(&out, kStunAttrChangeRequest);
    Put16(&out, 4);
    Put32(&out, change_flags);
  }
  return out;
}

absl::StatusOr<StunAddress> ParseBindingResponse(
    absl::Span<const uint8_t> message, const StunTransactionId& id) {
  if (message.size() < kHeaderSize) return Invalid("shorter than a header");
  if (Get16(message, 0) != kStunBindingSuccess) return Invalid("message type");
  size_t length = Get16(message, 2);
  if (length % 4 != 0 || kHeaderSize + length != message.size()) {
    return Invalid("length");
  }
  if (Get32(message, 4) != kStunMagicCookie) return Invalid("magic cookie");
  if (!std::equal(id.begin(), id.end(), message.begin() + 8)) {
    return Invalid("transaction ID");
  }
  std::optional<StunAddress> mapped, xor_mapped;
  size_t at = kHeaderSize;
  while (at + 4 <= message.size()) {
    uint16_t type = Get16(message, at);
    size_t size = Get16(message, at + 2);
    size_t padded = (size + 3) / 4 * 4;
    if (at + 4 + padded > message.size()) return Invalid("attribute length");
    absl::Span<const uint8_t> value = message.subspan(at + 4, size);
    if (type == kStunAttrXorMappedAddress && !xor_mapped) {
      xor_mapped = DecodeAddress(value, true);
    } else if (type == kStunAttrMappedAddress && !mapped) {
      mapped = DecodeAddress(value, false);
    }
    at += 4 + padded;
  }
  if (xor_mapped) return *xor_mapped;
  if (mapped) return *mapped;
  return Invalid("no IPv4 (XOR-)MAPPED-ADDRESS");
}

}  // namespace natfwt::lab
