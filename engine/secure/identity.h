// Copyright 2026 The natfwt Authors.
//
// Identity: who this node is.
//
// A node's identity is an EC P-256 private key and a self-signed X.509 v3
// certificate for it. Peers authenticate each other by pinning the SHA-256
// fingerprint of that certificate (RFC 8122 §5 style), exchanged out of
// band in the session descriptions; no CA, name or validity period is
// checked, so the certificate never needs renewing (notAfter is
// 99991231235959Z, RFC 5280 §4.1.2.5 "no well-defined expiration date").
// The fingerprint written as text is the node ID (node_id.h).
//
// P-256 rather than Ed25519: every DTLS 1.2 stack signs and verifies it
// (RFC 8422 §5.1.1 ecdsa_secp256r1_sha256), Ed25519 in DTLS 1.2 is an
// OpenSSL-to-OpenSSL feature.
//
// Persistent identities live in one file, <directory>/identity.pem, holding
// the PKCS #8 private key (unencrypted) followed by the certificate, both
// PEM. It is created on first use (mode 0600, atomically, never replacing
// an existing file, in a directory created with mode 0700) and loaded
// afterwards. A file that is corrupt, does not match itself (key vs.
// certificate), or has wrong permissions or owner is an error: it is never
// silently replaced, because a new identity means a new node ID that every
// peer would have to learn again.
//
//   NATFWT_ASSIGN_OR_RETURN(Identity me, Identity::LoadOrCreate(dir));
//   std::cout << "node ID: " << me.node_id() << "\n";
//
// Thread-safety: an Identity is immutable; copies share the underlying
// OpenSSL objects (reference counted) and may be used from any thread.

#ifndef NATFWT_ENGINE_SECURE_IDENTITY_H_
#define NATFWT_ENGINE_SECURE_IDENTITY_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/secure/node_id.h"

namespace natfwt::secure {

// SHA-256 of `certificate`'s DER encoding. Errors: kInternal when OpenSSL
// cannot encode or hash it.
[[nodiscard]] absl::StatusOr<Fingerprint> CertificateFingerprint(
    const X509* certificate);

class Identity {
 public:
  // The identity file inside the directory given to LoadOrCreate.
  static constexpr absl::string_view kFileName = "identity.pem";
  // An identity file is a few hundred bytes; anything above this is not one.
  static constexpr size_t kMaxFileSize = 64 * 1024;

  // A fresh identity that exists only in memory (tests, ephemeral nodes).
  // Errors: kInternal when OpenSSL fails to generate the key or sign the
  // certificate.
  [[nodiscard]] static absl::StatusOr<Identity> Generate();

  // Loads <directory>/identity.pem, or creates the directory and a new
  // identity there when the file does not exist yet. When two processes
  // race to create it, both end up with the one that was published first.
  // Errors: kDataLoss when the file is corrupt (the message names the file
  // and the defect; the file is left as it is); kFailedPrecondition when
  // the directory or file has the wrong type, owner or permissions (the
  // message gives the fix); kPermissionDenied, kResourceExhausted,
  // kInternal from the file system; kUnimplemented on systems without a
  // file store.
  [[nodiscard]] static absl::StatusOr<Identity> LoadOrCreate(
      const std::string& directory);

  // Parses the identity file format: a "PRIVATE KEY" block followed by a
  // "CERTIFICATE" block, nothing else but trailing whitespace. The key must
  // be EC P-256, match the certificate, and the certificate must verify
  // with it. Errors: kDataLoss naming the defect.
  [[nodiscard]] static absl::StatusOr<Identity> FromPem(absl::string_view pem);

  // The identity file format (see FromPem). It contains the private key:
  // callers must not log it and should wipe it after use. Errors: kInternal
  // when OpenSSL fails to encode.
  [[nodiscard]] absl::StatusOr<std::string> ToPem() const;

  // SHA-256 of the DER certificate.
  const Fingerprint& fingerprint() const { return fingerprint_; }
  // FormatNodeId(fingerprint()).
  std::string node_id() const { return FormatNodeId(fingerprint_); }

  // Borrowed pointers, valid while any copy of this Identity lives. OpenSSL
  // functions that keep them take their own references.
  EVP_PKEY* private_key() const { return key_.get(); }
  X509* certificate() const { return certificate_.get(); }

 private:
  Identity(std::shared_ptr<EVP_PKEY> key, std::shared_ptr<X509> certificate,
           const Fingerprint& fingerprint)
      : key_(std::move(key)),
        certificate_(std::move(certificate)),
        fingerprint_(fingerprint) {}

  static absl::StatusOr<Identity> FromParts(EVP_PKEY* key, X509* certificate);

  std::shared_ptr<EVP_PKEY> key_;
  std::shared_ptr<X509> certificate_;
  Fingerprint fingerprint_{};
};

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_IDENTITY_H_
