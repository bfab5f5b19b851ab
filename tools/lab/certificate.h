// Copyright 2026 The natfwt Authors.
//
// The lab's TURN-over-TLS certificate: a fresh self-signed EC P-256
// certificate made with OpenSSL's libcrypto at every `lab up` (nothing to
// ship or expire in the tree), valid from an hour ago for 30 days, with the
// server addresses as IP subjectAltNames.
//
// Thread-safety: callable from any thread (OpenSSL 3 is thread-safe).

#ifndef NATFWT_TOOLS_LAB_CERTIFICATE_H_
#define NATFWT_TOOLS_LAB_CERTIFICATE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::lab {

struct PemCertificate {
  std::string certificate;  // "-----BEGIN CERTIFICATE-----..."
  std::string private_key;  // PKCS#8 "-----BEGIN PRIVATE KEY-----..."
};

// A self-signed certificate with subject CN `common_name` and an IP
// subjectAltName for each of `ip_addresses` (dotted IPv4 text). Errors:
// kInvalidArgument for a bad address; kInternal with OpenSSL's error text.
absl::StatusOr<PemCertificate> GenerateSelfSignedCertificate(
    absl::string_view common_name,
    const std::vector<std::string>& ip_addresses);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_CERTIFICATE_H_
