// Copyright 2026 The natfwt Authors.
//
// The OpenSSL side of DtlsHandshake (internal to engine/secure): building
// the SSL_CTX and SSL, the pinned-fingerprint certificate check, key export
// and turning OpenSSL's failure reasons into a Status.
//
// Profile (implementation choices unless marked spec):
//   * DTLS 1.2 only (RFC 6347), no session resumption, tickets or
//     renegotiation; no cookie exchange (RFC 6347 §4.2.1: the ICE
//     connectivity checks already proved the peer's address, as in WebRTC);
//   * cipher suites ECDHE-ECDSA with AES-256-GCM or ChaCha20-Poly1305
//     (RFC 5289, RFC 7905), in the order of the preferred data AEAD; the
//     client's order wins (OpenSSL's default), and the negotiated suite's
//     AEAD becomes the data path's AEAD, so both ends always agree;
//   * both ends present their identity certificate
//     (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT); the chain is not
//     built or checked against any CA: SSL_CTX_set_cert_verify_callback
//     replaces that with one test, SHA-256(DER(leaf)) == the expected
//     fingerprint (constant-time). The CertificateVerify / ServerKeyExchange
//     signatures then prove the peer holds that certificate's key;
//   * the extended master secret (RFC 7627) is required, as RFC 7627 §5.4
//     recommends before exporting keys;
//   * keys: SSL_export_keying_material (RFC 5705) with the label
//     "EXPERIMENTAL-natfwt-data-v1" (RFC 5705 §4: unregistered labels start
//     with "EXPERIMENTAL"), no context, 88 bytes split as channel_keys.h
//     describes.
//
// Thread-safety: the objects belong to one DtlsHandshake and are used under
// its lock.

#ifndef NATFWT_ENGINE_SECURE_DTLS_CONTEXT_H_
#define NATFWT_ENGINE_SECURE_DTLS_CONTEXT_H_

#include <openssl/types.h>

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/secure/channel_keys.h"
#include "engine/secure/dtls_bio.h"
#include "engine/secure/identity.h"
#include "engine/secure/node_id.h"
#include "engine/secure/openssl_util.h"

namespace natfwt::secure {

// What the certificate check expects and saw. OpenSSL calls the check from
// inside SSL_do_handshake with a pointer to this object.
struct PeerCheck {
  Fingerprint expected{};
  std::optional<Fingerprint> presented;  // The peer's leaf, once seen.
  bool mismatch = false;
};

// An SSL_CTX with `local`'s key and certificate and the profile above.
// `check` is borrowed and must outlive the context. Errors: kInternal when
// OpenSSL refuses a setting.
[[nodiscard]] absl::StatusOr<OpensslPtr<SSL_CTX>> NewDtlsContext(
    const Identity& local, AeadAlgorithm preferred, PeerCheck* check);

// An SSL in `role` over `pipe` (borrowed; must outlive the SSL), sending
// datagrams of at most pipe->mtu bytes, with OpenSSL's own retransmission
// timer pushed out of the way (DtlsHandshake retransmits on its Clock).
// Errors: kInternal.
[[nodiscard]] absl::StatusOr<OpensslPtr<SSL>> NewDtlsSession(
    SSL_CTX* context, DtlsRole role, DatagramPipe* pipe);

// After SSL_do_handshake() returned 1: re-checks the peer certificate and
// the extended master secret and exports the channel keys. Errors:
// kUnauthenticated when the peer certificate is missing or does not match
// (defence in depth; the verify callback already refused it);
// kFailedPrecondition without extended master secret or with an
// unexpected cipher suite; kInternal when the export fails.
[[nodiscard]] absl::StatusOr<ChannelKeys> ExportChannelKeys(
    SSL* ssl, const PeerCheck& check);

// The failure after SSL_do_handshake() failed with `ssl_error`
// (SSL_get_error), read from `check` and the thread's OpenSSL error queue
// (which it empties):
//   * kUnauthenticated "peer certificate fingerprint mismatch: expected
//     node X, the peer presented node Y" when our check refused the peer;
//   * kUnauthenticated "the peer rejected this node's certificate ..." when
//     the peer sent a certificate-related alert (RFC 5246 §7.2.2: 42-46,
//     48, 49);
//   * kAborted "the peer aborted the DTLS handshake (alert: ...)" for any
//     other alert received;
//   * kAborted "DTLS handshake failed: <OpenSSL reasons>" otherwise.
absl::Status DescribeHandshakeFailure(const PeerCheck& check, int ssl_error);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_DTLS_CONTEXT_H_
