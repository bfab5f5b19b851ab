// Copyright 2026 The natfwt Authors.

#include "engine/secure/dtls_context.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "platform/base/status_macros.h"

namespace natfwt::secure {
namespace {

// RFC 5705 §4: unregistered exporter labels start with "EXPERIMENTAL".
constexpr char kExporterLabel[] = "EXPERIMENTAL-natfwt-data-v1";
constexpr size_t kExportedSize = 2 * (kAeadKeySize + kAeadSaltSize);

// OpenSSL 3.0 names (RFC 5289 §3.2 and RFC 7905 §2 suites).
constexpr char kAesFirst[] =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305";
constexpr char kChaChaFirst[] =
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384";
constexpr char kGroups[] = "X25519:P-256";

// OpenSSL's DTLS timer reads gettimeofday() and, once expired, retransmits
// by itself inside SSL_do_handshake(); DtlsHandshake retransmits on its
// injected Clock instead, so OpenSSL's timer is set to one hour, longer
// than any allowed handshake (dtls_handshake.h caps it at 10 minutes).
constexpr unsigned int kOpensslTimerMicros = 3600u * 1000 * 1000;

unsigned int OpensslTimer(SSL*, unsigned int) { return kOpensslTimerMicros; }

// SSL_CTX_set_cert_verify_callback: replaces chain building and CA checks
// with the fingerprint pin.
int VerifyPinnedFingerprint(X509_STORE_CTX* store, void* argument) {
  auto* check = static_cast<PeerCheck*>(argument);
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  absl::StatusOr<Fingerprint> presented =
      leaf != nullptr ? CertificateFingerprint(leaf)
                      : absl::StatusOr<Fingerprint>(absl::InternalError(""));
  if (!presented.ok()) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  check->presented = *presented;
  if (CRYPTO_memcmp(presented->data(), check->expected.data(),
                    kFingerprintSize) != 0) {
    check->mismatch = true;
    // Sent to the peer as a bad_certificate alert.
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }
  X509_STORE_CTX_set_error(store, X509_V_OK);
  return 1;
}

absl::Status ConfigureProtocol(SSL_CTX* context, AeadAlgorithm preferred) {
  const char* ciphers =
      preferred == AeadAlgorithm::kChaCha20Poly1305 ? kChaChaFirst : kAesFirst;
  const bool ok =
      SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1 &&
      SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1 &&
      SSL_CTX_set_cipher_list(context, ciphers) == 1 &&
      SSL_CTX_set1_groups_list(context, kGroups) == 1;
  if (!ok) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot configure DTLS 1.2");
  }
  SSL_CTX_set_options(context, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
  return absl::OkStatus();
}

absl::Status ConfigureIdentity(SSL_CTX* context, const Identity& local,
                               PeerCheck* check) {
  if (SSL_CTX_use_certificate(context, local.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(context, local.private_key()) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot install the node identity");
  }
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     nullptr);
  SSL_CTX_set_cert_verify_callback(context, VerifyPinnedFingerprint, check);
  return absl::OkStatus();
}

absl::StatusOr<AeadAlgorithm> NegotiatedAead(SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  const int nid = cipher != nullptr ? SSL_CIPHER_get_cipher_nid(cipher) : 0;
  if (nid == NID_aes_256_gcm) return AeadAlgorithm::kAes256Gcm;
  if (nid == NID_chacha20_poly1305) return AeadAlgorithm::kChaCha20Poly1305;
  return absl::FailedPreconditionError(
      absl::StrCat("unexpected DTLS cipher suite ",
                   cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "none"));
}

absl::Status RecheckPeer(SSL* ssl, const PeerCheck& check) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
    return absl::UnauthenticatedError("the peer presented no certificate");
  }
  NATFWT_ASSIGN_OR_RETURN(Fingerprint presented, CertificateFingerprint(peer));
  if (CRYPTO_memcmp(presented.data(), check.expected.data(),
                    kFingerprintSize) != 0) {
    return absl::UnauthenticatedError(
        absl::StrCat("peer certificate fingerprint mismatch: expected node ",
                     FormatNodeId(check.expected), ", the peer presented node ",
                     FormatNodeId(presented)));
  }
  if (SSL_get_extms_support(ssl) != 1) {
    return absl::FailedPreconditionError(
        "the peer did not use the extended master secret (RFC 7627)");
  }
  return absl::OkStatus();
}

// RFC 5246 §7.2.2 alerts that mean "your certificate is not acceptable".
bool IsCertificateAlert(int alert) {
  switch (alert) {
    case SSL3_AD_BAD_CERTIFICATE:
    case SSL3_AD_UNSUPPORTED_CERTIFICATE:
    case SSL3_AD_CERTIFICATE_REVOKED:
    case SSL3_AD_CERTIFICATE_EXPIRED:
    case SSL3_AD_CERTIFICATE_UNKNOWN:
    case TLS1_AD_UNKNOWN_CA:
    case TLS1_AD_ACCESS_DENIED:
      return true;
    default:
      return false;
  }
}

// The alert the peer sent, if the first queued error records one (OpenSSL
// reports a received alert as reason SSL_AD_REASON_OFFSET + alert).
std::optional<int> ReceivedAlert() {
  const unsigned long error = ERR_peek_error();  // NOLINT(runtime/int)
  const int reason = ERR_GET_REASON(error);
  if (error == 0 || ERR_GET_LIB(error) != ERR_LIB_SSL ||
      reason < SSL_AD_REASON_OFFSET || reason >= SSL_AD_REASON_OFFSET + 256) {
    return std::nullopt;
  }
  return reason - SSL_AD_REASON_OFFSET;
}

}  // namespace

absl::StatusOr<OpensslPtr<SSL_CTX>> NewDtlsContext(const Identity& local,
                                                   AeadAlgorithm preferred,
                                                   PeerCheck* check) {
  OpensslPtr<SSL_CTX> context(SSL_CTX_new(DTLS_method()));
  if (context == nullptr) {
    return OpensslError(absl::StatusCode::kInternal, "SSL_CTX_new");
  }
  NATFWT_RETURN_IF_ERROR(ConfigureProtocol(context.get(), preferred));
  NATFWT_RETURN_IF_ERROR(ConfigureIdentity(context.get(), local, check));
  return context;
}

absl::StatusOr<OpensslPtr<SSL>> NewDtlsSession(SSL_CTX* context, DtlsRole role,
                                               DatagramPipe* pipe) {
  OpensslPtr<SSL> ssl(SSL_new(context));
  if (ssl == nullptr)
    return OpensslError(absl::StatusCode::kInternal, "SSL_new");
  // The MTU is ours to give: OpenSSL must not ask the BIO or shrink it.
  SSL_set_options(ssl.get(), SSL_OP_NO_QUERY_MTU);
  // SSL_set_mtu returns the MTU it set, 0 when refused.
  const long mtu = static_cast<long>(pipe->mtu);  // NOLINT(runtime/int)
  if (SSL_set_mtu(ssl.get(), mtu) != mtu) {
    return OpensslError(absl::StatusCode::kInternal, "SSL_set_mtu");
  }
  DTLS_set_timer_cb(ssl.get(), OpensslTimer);
  NATFWT_ASSIGN_OR_RETURN(BIO * bio, NewDatagramBio(pipe));
  SSL_set_bio(ssl.get(), bio, bio);  // One reference serves both ways.
  if (role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl.get());
  } else {
    SSL_set_accept_state(ssl.get());
  }
  return ssl;
}

absl::StatusOr<ChannelKeys> ExportChannelKeys(SSL* ssl,
                                              const PeerCheck& check) {
  NATFWT_RETURN_IF_ERROR(RecheckPeer(ssl, check));
  ChannelKeys keys;
  NATFWT_ASSIGN_OR_RETURN(keys.algorithm, NegotiatedAead(ssl));
  uint8_t material[kExportedSize];
  if (SSL_export_keying_material(ssl, material, sizeof(material),
                                 kExporterLabel, sizeof(kExporterLabel) - 1,
                                 nullptr, 0, 0) != 1) {
    return OpensslError(absl::StatusCode::kInternal,
                        "SSL_export_keying_material");
  }
  const uint8_t* cursor = material;
  auto take = [&cursor](auto& field) {
    std::memcpy(field.data(), cursor, field.size());
    cursor += field.size();
  };
  take(keys.client_to_server.key);
  take(keys.server_to_client.key);
  take(keys.client_to_server.salt);
  take(keys.server_to_client.salt);
  OPENSSL_cleanse(material, sizeof(material));
  return keys;
}

absl::Status DescribeHandshakeFailure(const PeerCheck& check, int ssl_error) {
  if (check.mismatch && check.presented.has_value()) {
    DrainOpensslErrors();
    return absl::UnauthenticatedError(
        absl::StrCat("peer certificate fingerprint mismatch: expected node ",
                     FormatNodeId(check.expected), ", the peer presented node ",
                     FormatNodeId(*check.presented)));
  }
  if (std::optional<int> alert = ReceivedAlert(); alert.has_value()) {
    DrainOpensslErrors();
    const std::string name = SSL_alert_desc_string_long(*alert);
    if (IsCertificateAlert(*alert)) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the peer rejected this node's certificate (alert: ", name,
          "); it expects a different node ID for this node"));
    }
    return absl::AbortedError(absl::StrCat(
        "the peer aborted the DTLS handshake (alert: ", name, ")"));
  }
  return absl::AbortedError(absl::StrCat("DTLS handshake failed (SSL error ",
                                         ssl_error,
                                         "): ", DrainOpensslErrors()));
}

}  // namespace natfwt::secure
