// Copyright 2026 The natfwt Authors.

#include "engine/secure/aead_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace natfwt::secure {
namespace {

// Implementation choice; both ends must use the same label.
constexpr char kRekeyLabel[] = "natfwt rekey";
constexpr char kRekeyDigest[] = "SHA256";

const char* CipherName(AeadAlgorithm algorithm) {
  return algorithm == AeadAlgorithm::kChaCha20Poly1305 ? "ChaCha20-Poly1305"
                                                       : "AES-256-GCM";
}

int Length(size_t size) { return static_cast<int>(size); }

}  // namespace

absl::StatusOr<AeadKey> AeadKey::Create(AeadAlgorithm algorithm,
                                        Direction direction) {
  OpensslPtr<EVP_CIPHER> cipher(
      EVP_CIPHER_fetch(nullptr, CipherName(algorithm), nullptr));
  OpensslPtr<EVP_CIPHER_CTX> context(EVP_CIPHER_CTX_new());
  if (cipher == nullptr || context == nullptr ||
      EVP_CipherInit_ex(context.get(), cipher.get(), nullptr, nullptr, nullptr,
                        direction == Direction::kSeal ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_get_iv_length(context.get()) != Length(kAeadSaltSize) ||
      EVP_CIPHER_CTX_get_key_length(context.get()) != Length(kAeadKeySize)) {
    return OpensslError(absl::StatusCode::kInternal,
                        absl::StrCat("cannot set up ", CipherName(algorithm)));
  }
  AeadKey key(std::move(context), direction);
  if (!key.SetKeys(DirectionKeys())) {
    return OpensslError(absl::StatusCode::kInternal, "cannot install a key");
  }
  return key;
}

bool AeadKey::SetKeys(const DirectionKeys& keys) {
  keys_ = keys;
  return EVP_CipherInit_ex(context_.get(), nullptr, nullptr, keys_.key.data(),
                           nullptr, -1) == 1;
}

std::array<uint8_t, kAeadSaltSize> AeadKey::Nonce(uint64_t counter) const {
  std::array<uint8_t, kAeadSaltSize> nonce = keys_.salt;
  for (size_t i = 0; i < 8; ++i) {
    nonce[kAeadSaltSize - 1 - i] ^= static_cast<uint8_t>(counter >> (8 * i));
  }
  return nonce;
}

bool AeadKey::Seal(uint64_t counter, absl::Span<const uint8_t> aad,
                   absl::Span<const uint8_t> in, uint8_t* out) {
  EVP_CIPHER_CTX* context = context_.get();
  const std::array<uint8_t, kAeadSaltSize> nonce = Nonce(counter);
  int length = 0;
  int final_length = 0;
  return EVP_EncryptInit_ex(context, nullptr, nullptr, nullptr, nonce.data()) ==
             1 &&
         EVP_EncryptUpdate(context, nullptr, &length, aad.data(),
                           Length(aad.size())) == 1 &&
         (in.empty() || EVP_EncryptUpdate(context, out, &length, in.data(),
                                          Length(in.size())) == 1) &&
         EVP_EncryptFinal_ex(context, out + in.size(), &final_length) == 1 &&
         EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG,
                             Length(kAeadTagSize), out + in.size()) == 1;
}

bool AeadKey::Open(uint64_t counter, absl::Span<const uint8_t> aad,
                   absl::Span<const uint8_t> ciphertext, const uint8_t* tag,
                   uint8_t* out) {
  EVP_CIPHER_CTX* context = context_.get();
  const std::array<uint8_t, kAeadSaltSize> nonce = Nonce(counter);
  // OpenSSL's prototype takes a non-const pointer; it only reads the tag.
  void* tag_in = const_cast<uint8_t*>(tag);
  int length = 0;
  int final_length = 0;
  const bool ok =
      EVP_DecryptInit_ex(context, nullptr, nullptr, nullptr, nonce.data()) ==
          1 &&
      EVP_DecryptUpdate(context, nullptr, &length, aad.data(),
                        Length(aad.size())) == 1 &&
      (ciphertext.empty() ||
       EVP_DecryptUpdate(context, out, &length, ciphertext.data(),
                         Length(ciphertext.size())) == 1) &&
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Length(kAeadTagSize),
                          tag_in) == 1 &&
      EVP_DecryptFinal_ex(context, out + ciphertext.size(), &final_length) == 1;
  if (!ok) {
    // Unauthenticated plaintext never leaves; the error queue stays empty.
    OPENSSL_cleanse(out, ciphertext.size());
    ERR_clear_error();
  }
  return ok;
}

absl::StatusOr<EpochKeyDeriver> EpochKeyDeriver::Create() {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
  OpensslPtr<EVP_KDF_CTX> context(kdf != nullptr ? EVP_KDF_CTX_new(kdf)
                                                 : nullptr);
  EVP_KDF_free(kdf);  // The context holds its own reference.
  if (context == nullptr) {
    return OpensslError(absl::StatusCode::kInternal, "cannot set up HKDF");
  }
  return EpochKeyDeriver(std::move(context));
}

bool EpochKeyDeriver::Next(const DirectionKeys& current, DirectionKeys* next) {
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  DirectionKeys prk = current;
  // OSSL_PARAM takes non-const pointers; EVP_KDF_derive only reads them.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                       const_cast<char*>(kRekeyDigest), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, prk.key.data(),
                                        prk.key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                        const_cast<char*>(kRekeyLabel),
                                        sizeof(kRekeyLabel) - 1),
      OSSL_PARAM_construct_end(),
  };
  uint8_t output[kAeadKeySize + kAeadSaltSize];
  EVP_KDF_CTX_reset(context_.get());
  const bool ok =
      EVP_KDF_derive(context_.get(), output, sizeof(output), params) == 1;
  if (ok) {
    std::memcpy(next->key.data(), output, kAeadKeySize);
    std::memcpy(next->salt.data(), output + kAeadKeySize, kAeadSaltSize);
  }
  OPENSSL_cleanse(output, sizeof(output));
  EVP_KDF_CTX_reset(context_.get());  // Drops its copy of the key.
  return ok;
}

}  // namespace natfwt::secure
