// Copyright 2026 The natfwt Authors.
//
// Ephemeral X25519 session keys: see key_agreement.h.

#include "engine/secure/key_agreement.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <string>
#include <vector>

namespace natfwt::secure {
namespace {

constexpr absl::string_view kSaltLabel = "natfwt session keys v1";
constexpr size_t kOutputSize = 2 * (kAeadKeySize + kAeadSaltSize);

void AppendBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void Append(const X25519PublicKey& key, std::string* out) {
  out->append(reinterpret_cast<const char*>(key.data()), key.size());
}

}  // namespace

absl::StatusOr<ChannelKeys> DeriveSessionKeys(
    absl::Span<const uint8_t> shared_secret,
    const KeyAgreementContext& context) {
  std::string salt(kSaltLabel);
  AppendBigEndian(context.session_id, &salt);
  std::string info = context.initiator_id + context.responder_id;
  Append(context.initiator_public, &info);
  Append(context.responder_public, &info);

  OpensslPtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (kdf == nullptr) return OpensslError(absl::StatusCode::kInternal, "HKDF");
  OpensslPtr<EVP_KDF_CTX> kdf_context(EVP_KDF_CTX_new(kdf.get()));
  if (kdf_context == nullptr) {
    return OpensslError(absl::StatusCode::kInternal, "EVP_KDF_CTX_new");
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(shared_secret.data()),
          shared_secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(),
                                        info.size()),
      OSSL_PARAM_construct_end()};
  uint8_t output[kOutputSize];
  if (EVP_KDF_derive(kdf_context.get(), output, sizeof(output), params) != 1) {
    return OpensslError(absl::StatusCode::kInternal, "HKDF derive");
  }
  ChannelKeys keys;
  const uint8_t* at = output;
  for (DirectionKeys* direction :
       {&keys.client_to_server, &keys.server_to_client}) {
    std::copy(at, at + kAeadKeySize, direction->key.begin());
    at += kAeadKeySize;
    std::copy(at, at + kAeadSaltSize, direction->salt.begin());
    at += kAeadSaltSize;
  }
  OPENSSL_cleanse(output, sizeof(output));
  return keys;
}

absl::StatusOr<EphemeralKey> EphemeralKey::Generate() {
  OpensslPtr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  if (key == nullptr) {
    return OpensslError(absl::StatusCode::kInternal, "X25519 key generation");
  }
  X25519PublicKey public_key{};
  size_t length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1 ||
      length != public_key.size()) {
    return OpensslError(absl::StatusCode::kInternal, "X25519 public key");
  }
  return EphemeralKey(std::move(key), public_key);
}

absl::StatusOr<ChannelKeys> EphemeralKey::Derive(
    const X25519PublicKey& peer, const KeyAgreementContext& context) const {
  const bool initiator =
      context.initiator_public == public_ && context.responder_public == peer;
  const bool responder =
      context.responder_public == public_ && context.initiator_public == peer;
  if (!initiator && !responder) {
    return absl::InvalidArgumentError(
        "the key agreement context does not name this key pair");
  }
  OpensslPtr<EVP_PKEY> peer_key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
  if (peer_key == nullptr) {
    return OpensslError(absl::StatusCode::kInvalidArgument,
                        "peer's X25519 key");
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> derive(
      EVP_PKEY_CTX_new(key_.get(), nullptr), &EVP_PKEY_CTX_free);
  uint8_t shared[kX25519KeySize];
  size_t length = sizeof(shared);
  // OpenSSL refuses an all-zero result itself (RFC 7748 section 6.1).
  if (derive == nullptr || EVP_PKEY_derive_init(derive.get()) != 1 ||
      EVP_PKEY_derive_set_peer(derive.get(), peer_key.get()) != 1 ||
      EVP_PKEY_derive(derive.get(), shared, &length) != 1 ||
      length != sizeof(shared)) {
    return OpensslError(absl::StatusCode::kInvalidArgument, "X25519 exchange");
  }
  absl::StatusOr<ChannelKeys> keys = DeriveSessionKeys(shared, context);
  OPENSSL_cleanse(shared, sizeof(shared));
  return keys;
}

}  // namespace natfwt::secure
