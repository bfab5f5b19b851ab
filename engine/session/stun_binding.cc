// Copyright 2026 The natfwt Authors.

#include "engine/session/stun_binding.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace natfwt::engine::stun {
namespace {

// RFC 8489 section 18.2 (methods, classes) and 18.3 (attributes).
constexpr uint16_t kBindingRequest = 0x0001;
constexpr uint16_t kBindingSuccess = 0x0101;
constexpr uint16_t kAttrUsername = 0x0006;
constexpr uint16_t kAttrMessageIntegrity = 0x0008;
constexpr uint16_t kAttrXorMappedAddress = 0x0020;
constexpr uint16_t kAttrFingerprint = 0x8028;
// RFC 8489 section 14.7.
constexpr uint32_t kFingerprintXor = 0x5354554e;
// HMAC-SHA1 (RFC 8489 section 14.5).
constexpr size_t kIntegritySize = 20;
constexpr size_t kAttrHeaderSize = 4;
// RFC 8489 section 14.2: address families of XOR-MAPPED-ADDRESS.
constexpr uint8_t kFamilyV4 = 0x01;
constexpr uint8_t kFamilyV6 = 0x02;

uint16_t Load16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
uint32_t Load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}
void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Store32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
size_t Padded(size_t n) { return (n + 3) & ~size_t{3}; }

// What a check carries, as offsets into the message.
struct Parsed {
  uint16_t type = 0;
  absl::string_view username;
  size_t integrity_offset = 0;  // 0: absent.
};

absl::Status CheckHeader(absl::Span<const uint8_t> m) {
  if (m.size() < kHeaderSize) return absl::InvalidArgumentError("short");
  if ((m[0] & 0xC0) != 0) {
    return absl::InvalidArgumentError("top bits set: not STUN");
  }
  if (Load32(m.data() + 4) != kMagicCookie) {
    return absl::InvalidArgumentError("no magic cookie");
  }
  const size_t length = Load16(m.data() + 2);
  if (length % 4 != 0 || length != m.size() - kHeaderSize) {
    return absl::InvalidArgumentError("length does not match the datagram");
  }
  return absl::OkStatus();
}

// FINGERPRINT must be last; its CRC covers everything before it.
absl::Status CheckFingerprint(absl::Span<const uint8_t> m, size_t offset,
                              size_t value_length) {
  if (value_length != 4 || offset + kAttrHeaderSize + 4 != m.size()) {
    return absl::InvalidArgumentError("FINGERPRINT misplaced");
  }
  const uint32_t expected = Crc32(m.first(offset)) ^ kFingerprintXor;
  if (Load32(m.data() + offset + kAttrHeaderSize) != expected) {
    return absl::InvalidArgumentError("FINGERPRINT mismatch");
  }
  return absl::OkStatus();
}

absl::StatusOr<Parsed> Parse(absl::Span<const uint8_t> m) {
  if (absl::Status header = CheckHeader(m); !header.ok()) return header;
  Parsed parsed;
  parsed.type = Load16(m.data());
  size_t offset = kHeaderSize;
  while (offset < m.size()) {
    if (m.size() - offset < kAttrHeaderSize) {
      return absl::InvalidArgumentError("truncated attribute header");
    }
    const uint16_t type = Load16(m.data() + offset);
    const size_t length = Load16(m.data() + offset + 2);
    if (Padded(length) > m.size() - offset - kAttrHeaderSize) {
      return absl::InvalidArgumentError("attribute overruns the message");
    }
    const uint8_t* value = m.data() + offset + kAttrHeaderSize;
    if (type == kAttrFingerprint) {
      if (absl::Status fp = CheckFingerprint(m, offset, length); !fp.ok()) {
        return fp;
      }
    } else if (parsed.integrity_offset != 0) {
      // RFC 8489 section 14.5: ignore what follows MESSAGE-INTEGRITY.
    } else if (type == kAttrUsername) {
      parsed.username =
          absl::string_view(reinterpret_cast<const char*>(value), length);
    } else if (type == kAttrMessageIntegrity) {
      if (length != kIntegritySize) {
        return absl::InvalidArgumentError("MESSAGE-INTEGRITY length");
      }
      parsed.integrity_offset = offset;
    }
    offset += kAttrHeaderSize + Padded(length);
  }
  return parsed;
}

// HMAC-SHA1 over `prefix` with its header length field replaced by
// `length_field` (RFC 8489 section 14.5).
bool Integrity(absl::Span<const uint8_t> prefix, size_t length_field,
               absl::string_view key, uint8_t* mac) {
  std::vector<uint8_t> input(prefix.begin(), prefix.end());
  Store16(input.data() + 2, static_cast<uint16_t>(length_field));
  unsigned int mac_size = 0;
  return HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
              input.data(), input.size(), mac, &mac_size) != nullptr &&
         mac_size == kIntegritySize;
}

absl::Status Authenticate(absl::Span<const uint8_t> m, const Parsed& parsed,
                          const LocalCredentials& local) {
  // RFC 8445 section 7.3: USERNAME is "<our ufrag>:<their ufrag>".
  if (!absl::StartsWith(parsed.username, absl::StrCat(local.ufrag, ":"))) {
    return absl::UnauthenticatedError("USERNAME is not for this session");
  }
  if (parsed.integrity_offset == 0) {
    return absl::UnauthenticatedError("no MESSAGE-INTEGRITY");
  }
  const size_t offset = parsed.integrity_offset;
  std::array<uint8_t, kIntegritySize> mac;
  if (!Integrity(m.first(offset),
                 offset + kAttrHeaderSize + kIntegritySize - kHeaderSize,
                 local.password, mac.data()) ||
      CRYPTO_memcmp(mac.data(), m.data() + offset + kAttrHeaderSize,
                    kIntegritySize) != 0) {
    return absl::UnauthenticatedError("MESSAGE-INTEGRITY mismatch");
  }
  return absl::OkStatus();
}

// Appends XOR-MAPPED-ADDRESS (RFC 8489 section 14.2) at `out[size]`.
size_t PutXorMappedAddress(const net::UdpEndpoint& source, uint8_t* out) {
  const bool v4 = source.address.is_v4();
  const size_t length = v4 ? 8 : 20;
  Store16(out, kAttrXorMappedAddress);
  Store16(out + 2, static_cast<uint16_t>(length));
  out[4] = 0;
  out[5] = v4 ? kFamilyV4 : kFamilyV6;
  Store16(out + 6, source.port ^ static_cast<uint16_t>(kMagicCookie >> 16));
  // The address is XORed with the cookie followed by the transaction ID,
  // which sit in the message header right before (out - offset).
  absl::Span<const uint8_t> address = source.address.bytes();
  for (size_t i = 0; i < address.size(); ++i) out[8 + i] = address[i];
  return kAttrHeaderSize + length;
}

void XorAddress(uint8_t* message, size_t attribute_offset, size_t size) {
  // Bytes 4..19 of the header: magic cookie then transaction ID.
  for (size_t i = 0; i < size; ++i) {
    message[attribute_offset + 8 + i] ^= message[4 + i];
  }
}

size_t BuildAnswer(absl::Span<const uint8_t> request,
                   const net::UdpEndpoint& source, absl::string_view key,
                   uint8_t* out) {
  Store16(out, kBindingSuccess);
  for (size_t i = 4; i < kHeaderSize; ++i) out[i] = request[i];
  size_t size = kHeaderSize;
  const size_t mapped = size;
  size += PutXorMappedAddress(source, out + size);
  XorAddress(out, mapped, source.address.size());
  const size_t integrity = size;
  Store16(out + size, kAttrMessageIntegrity);
  Store16(out + size + 2, kIntegritySize);
  if (!Integrity(absl::MakeConstSpan(out, integrity),
                 integrity + kAttrHeaderSize + kIntegritySize - kHeaderSize,
                 key, out + size + kAttrHeaderSize)) {
    return 0;
  }
  size += kAttrHeaderSize + kIntegritySize;
  Store16(out + 2, static_cast<uint16_t>(size + 8 - kHeaderSize));
  const uint32_t crc = Crc32(absl::MakeConstSpan(out, size)) ^ kFingerprintXor;
  Store16(out + size, kAttrFingerprint);
  Store16(out + size + 2, 4);
  Store32(out + size + kAttrHeaderSize, crc);
  return size + 8;
}

}  // namespace

uint32_t Crc32(absl::Span<const uint8_t> bytes) {
  static const std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[n] = c;
    }
    return table;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) crc = kTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

absl::StatusOr<size_t> AnswerBindingRequest(absl::Span<const uint8_t> request,
                                            const net::UdpEndpoint& source,
                                            const LocalCredentials& local,
                                            absl::Span<uint8_t> out) {
  absl::StatusOr<Parsed> parsed = Parse(request);
  if (!parsed.ok()) return parsed.status();
  if (parsed->type != kBindingRequest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "STUN type 0x", absl::Hex(parsed->type), " is not a Binding request"));
  }
  if (absl::Status auth = Authenticate(request, *parsed, local); !auth.ok()) {
    return auth;
  }
  if (out.size() < kMaxAnswerSize) {
    return absl::ResourceExhaustedError("answer buffer too small");
  }
  const size_t size = BuildAnswer(request, source, local.password, out.data());
  if (size == 0) return absl::InternalError("HMAC-SHA1 failed");
  return size;
}

}  // namespace natfwt::engine::stun
