// Copyright 2026 The natfwt Authors.
//
// The key material the DTLS handshake hands to the AEAD data path.
//
// After the handshake both sides export the same 88 bytes (RFC 5705) and cut
// them into one key and one nonce salt per direction:
//
//   client_to_server.key (32) | server_to_client.key (32) |
//   client_to_server.salt (12) | server_to_client.salt (12)
//
// (the order SRTP uses for its exported keys, RFC 5764 §4.2). Each side
// seals with its own direction and opens with the other one.
//
// Thread-safety: plain values. Key-carrying types wipe themselves on
// destruction (OPENSSL_cleanse), so copies do not linger in freed memory.

#ifndef NATFWT_ENGINE_SECURE_CHANNEL_KEYS_H_
#define NATFWT_ENGINE_SECURE_CHANNEL_KEYS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace natfwt::secure {

// Which end of the DTLS handshake this node is. The caller decides (the ICE
// controlling agent is the client, RFC 5763 §5 uses the same split); the
// two ends of a session must pick opposite roles.
enum class DtlsRole : uint8_t { kClient, kServer };

// The data-path AEAD. Both take a 256-bit key and a 96-bit nonce and add a
// 128-bit tag.
enum class AeadAlgorithm : uint8_t {
  kAes256Gcm,         // NIST SP 800-38D; fast with AES-NI.
  kChaCha20Poly1305,  // RFC 8439; fast without AES hardware.
};

// "AES-256-GCM" or "ChaCha20-Poly1305".
absl::string_view AeadAlgorithmName(AeadAlgorithm algorithm);

inline constexpr size_t kAeadKeySize = 32;   // AES-256 / ChaCha20 key.
inline constexpr size_t kAeadSaltSize = 12;  // The AEAD nonce length.

// The key and nonce salt of one direction of one key epoch.
struct DirectionKeys {
  std::array<uint8_t, kAeadKeySize> key{};
  std::array<uint8_t, kAeadSaltSize> salt{};

  DirectionKeys() = default;
  DirectionKeys(const DirectionKeys&) = default;
  DirectionKeys& operator=(const DirectionKeys&) = default;
  ~DirectionKeys();

  // Constant-time comparison.
  bool operator==(const DirectionKeys& other) const;
  bool operator!=(const DirectionKeys& other) const {
    return !(*this == other);
  }
};

// Everything a pair of AeadChannels needs; identical on both ends.
struct ChannelKeys {
  AeadAlgorithm algorithm = AeadAlgorithm::kAes256Gcm;
  DirectionKeys client_to_server;
  DirectionKeys server_to_client;

  // The keys a node in `role` seals with, and the ones it opens with.
  const DirectionKeys& SendKeys(DtlsRole role) const {
    return role == DtlsRole::kClient ? client_to_server : server_to_client;
  }
  const DirectionKeys& ReceiveKeys(DtlsRole role) const {
    return role == DtlsRole::kClient ? server_to_client : client_to_server;
  }

  bool operator==(const ChannelKeys& other) const {
    return algorithm == other.algorithm &&
           client_to_server == other.client_to_server &&
           server_to_client == other.server_to_client;
  }
  bool operator!=(const ChannelKeys& other) const { return !(*this == other); }
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_CHANNEL_KEYS_H_
