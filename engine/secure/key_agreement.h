// Copyright 2026 The natfwt Authors.
//
// Session keys from an ephemeral X25519 exchange (RFC 7748) carried in
// signalling that is already authenticated end to end, instead of a DTLS
// handshake on the path: the node's offer and answer travel in envelopes
// signed with each node's identity key and checked for freshness and replay
// by the receiver (engine/rendezvous), so each side knows the other's
// ephemeral public key is really the peer's, and the secure channel is up
// the moment ICE connects. That saves the DTLS handshake's two round trips
// on every session setup (SecureSession::UsePresetKeys).
//
// Derivation (HKDF-SHA256, RFC 5869), both sides alike:
//   shared = X25519(own private, peer public)      (32 bytes; all-zero refused)
//   salt   = "natfwt session keys v1" || session_id (8 bytes, big-endian)
//   info   = initiator node ID || responder node ID ||
//            initiator public || responder public
//   OKM    = HKDF(salt, shared, info, 88 bytes)
//          = initiator->responder key (32) || salt (12) ||
//            responder->initiator key (32) || salt (12)
// The initiator seals with client_to_server (it takes the DTLS client's
// role, secure::DtlsRole::kClient), the responder with server_to_client.
// Binding both node IDs, both public keys and the session ID gives every
// session its own keys; the private keys live only as long as the
// EphemeralKey object (forward secrecy once it is gone).
//
// Thread-safety: an EphemeralKey is immutable after Generate(); Derive() may
// be called from any thread.

#ifndef NATFWT_ENGINE_SECURE_KEY_AGREEMENT_H_
#define NATFWT_ENGINE_SECURE_KEY_AGREEMENT_H_

#include <openssl/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/secure/channel_keys.h"
#include "engine/secure/openssl_util.h"

namespace natfwt::secure {

inline constexpr size_t kX25519KeySize = 32;
using X25519PublicKey = std::array<uint8_t, kX25519KeySize>;

// What both sides must agree on besides the shared secret.
struct KeyAgreementContext {
  uint64_t session_id = 0;
  std::string initiator_id;  // Node IDs (64 hex digits).
  std::string responder_id;
  X25519PublicKey initiator_public{};
  X25519PublicKey responder_public{};
};

class EphemeralKey {
 public:
  // A fresh key pair. Errors: kInternal when OpenSSL fails.
  static absl::StatusOr<EphemeralKey> Generate();

  EphemeralKey(EphemeralKey&&) = default;
  EphemeralKey& operator=(EphemeralKey&&) = default;

  const X25519PublicKey& public_key() const { return public_; }

  // The session's channel keys. `peer` must be the other side's public key
  // as named in `context`, and `context` must hold this key's public half
  // on this side's position. Errors: kInvalidArgument when this key is not
  // in `context` or the exchange yields the all-zero secret (a low-order
  // peer key, RFC 7748 section 6.1); kInternal when OpenSSL fails.
  absl::StatusOr<ChannelKeys> Derive(const X25519PublicKey& peer,
                                     const KeyAgreementContext& context) const;

 private:
  EphemeralKey(OpensslPtr<EVP_PKEY> key, const X25519PublicKey& public_key)
      : key_(std::move(key)), public_(public_key) {}

  OpensslPtr<EVP_PKEY> key_;
  X25519PublicKey public_{};
};

// Pure: HKDF over a shared secret (exposed for tests with known vectors).
absl::StatusOr<ChannelKeys> DeriveSessionKeys(
    absl::Span<const uint8_t> shared_secret,
    const KeyAgreementContext& context);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_KEY_AGREEMENT_H_
