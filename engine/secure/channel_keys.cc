// Copyright 2026 The natfwt Authors.

#include "engine/secure/channel_keys.h"

#include <openssl/crypto.h>

namespace natfwt::secure {

absl::string_view AeadAlgorithmName(AeadAlgorithm algorithm) {
  switch (algorithm) {
    case AeadAlgorithm::kAes256Gcm:
      return "AES-256-GCM";
    case AeadAlgorithm::kChaCha20Poly1305:
      return "ChaCha20-Poly1305";
  }
  return "unknown";
}

DirectionKeys::~DirectionKeys() {
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(salt.data(), salt.size());
}

bool DirectionKeys::operator==(const DirectionKeys& other) const {
  return CRYPTO_memcmp(key.data(), other.key.data(), key.size()) == 0 &&
         CRYPTO_memcmp(salt.data(), other.salt.data(), salt.size()) == 0;
}

}  // namespace natfwt::secure
