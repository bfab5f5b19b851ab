// Copyright 2026 The natfwt Authors.
//
// The cryptographic pieces under AeadChannel (internal to engine/secure):
//
//   * AeadKey: one EVP_CIPHER_CTX per key, created once; each packet only
//     re-initialises the nonce (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL,
//     nonce)), so sealing and opening never allocate.
//   * EpochKeyDeriver: the next key epoch's key and salt from the current
//     ones, HKDF-Expand (RFC 5869 §2.3) with SHA-256, PRK = the current
//     key, info = "natfwt rekey", L = 44 (32-byte key || 12-byte salt).
//     Knowing an epoch's key reveals every later epoch, never an earlier
//     one.
//
// Nonce (RFC 8446 §5.3 construction): the 64-bit packet counter, big-endian,
// left-padded with zeros to 12 bytes, XORed with the direction's salt. The
// counter never repeats within an epoch and each epoch has its own key, so a
// (key, nonce) pair is never used twice.
//
// Thread-safety: none; each object belongs to one thread at a time.

#ifndef NATFWT_ENGINE_SECURE_AEAD_KEY_H_
#define NATFWT_ENGINE_SECURE_AEAD_KEY_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/secure/channel_keys.h"
#include "engine/secure/openssl_util.h"

namespace natfwt::secure {

inline constexpr size_t kAeadTagSize = 16;  // GCM and Poly1305 tags.

class AeadKey {
 public:
  enum class Direction : uint8_t { kSeal, kOpen };

  // A context for `algorithm` with an all-zero key until SetKeys().
  // Errors: kInternal when OpenSSL cannot fetch the cipher or allocate.
  [[nodiscard]] static absl::StatusOr<AeadKey> Create(AeadAlgorithm algorithm,
                                                      Direction direction);

  // Installs `keys`. Returns false when OpenSSL refuses them (then the
  // object must not be used until a SetKeys() succeeds).
  bool SetKeys(const DirectionKeys& keys);

  // Encrypts `in` into `out` (in.size() bytes of ciphertext followed by the
  // 16-byte tag), authenticating `aad` too. `out` may equal in.data()
  // exactly (in place); no other overlap. Returns false on an OpenSSL
  // failure.
  bool Seal(uint64_t counter, absl::Span<const uint8_t> aad,
            absl::Span<const uint8_t> in, uint8_t* out);

  // Decrypts `ciphertext` into `out` and checks `tag` (16 bytes) over `aad`
  // and the ciphertext. `out` may equal ciphertext.data() exactly. Returns
  // false when authentication fails; `out` is then wiped.
  bool Open(uint64_t counter, absl::Span<const uint8_t> aad,
            absl::Span<const uint8_t> ciphertext, const uint8_t* tag,
            uint8_t* out);

  const DirectionKeys& keys() const { return keys_; }

 private:
  AeadKey(OpensslPtr<EVP_CIPHER_CTX> context, Direction direction)
      : context_(std::move(context)), direction_(direction) {}
  std::array<uint8_t, kAeadSaltSize> Nonce(uint64_t counter) const;

  OpensslPtr<EVP_CIPHER_CTX> context_;
  Direction direction_;
  DirectionKeys keys_;  // Kept to derive the next epoch.
};

class EpochKeyDeriver {
 public:
  // Errors: kInternal when OpenSSL has no HKDF.
  [[nodiscard]] static absl::StatusOr<EpochKeyDeriver> Create();

  // Writes the keys of the epoch after `current` into `next`. Returns false
  // on an OpenSSL failure.
  bool Next(const DirectionKeys& current, DirectionKeys* next);

 private:
  explicit EpochKeyDeriver(OpensslPtr<EVP_KDF_CTX> context)
      : context_(std::move(context)) {}

  OpensslPtr<EVP_KDF_CTX> context_;
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_AEAD_KEY_H_
