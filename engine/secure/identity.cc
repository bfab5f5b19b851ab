// Copyright 2026 The natfwt Authors.

#include "engine/secure/identity.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/secure/identity_store.h"
#include "engine/secure/openssl_util.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::secure {
namespace {

constexpr char kKeyType[] = "EC";
constexpr char kCurve[] = "P-256";
constexpr char kCurveGroupName[] = "prime256v1";  // OpenSSL's name for P-256.
constexpr char kCommonName[] = "natfwt node";
constexpr char kKeyPemName[] = "PRIVATE KEY";  // PKCS #8, RFC 7468 §10.
constexpr char kCertificatePemName[] = "CERTIFICATE";  // RFC 7468 §5.1.
// RFC 5280 §4.1.2.5: "no well-defined expiration date".
constexpr char kNotAfter[] = "99991231235959Z";
// RFC 5280 §4.1.2.2: positive, at most 20 octets; 127 random bits.
constexpr int kSerialBits = 127;

void WipeString(std::string* text) {
  OPENSSL_cleanse(text->data(), text->size());
  text->clear();
}

absl::Status Corrupt(absl::string_view detail) {
  return absl::DataLossError(detail);
}

absl::Status SetRandomSerial(X509* certificate) {
  OpensslPtr<BIGNUM> serial(BN_new());
  if (serial == nullptr ||
      BN_rand(serial.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) !=
          1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate)) ==
          nullptr) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot set a certificate serial number");
  }
  return absl::OkStatus();
}

absl::Status SetNamesAndValidity(X509* certificate) {
  X509_NAME* name = X509_get_subject_name(certificate);
  const bool ok = X509_NAME_add_entry_by_txt(
                      name, "CN", MBSTRING_ASC,
                      reinterpret_cast<const unsigned char*>(kCommonName), -1,
                      -1, 0) == 1 &&
                  X509_set_issuer_name(certificate, name) == 1 &&
                  X509_gmtime_adj(X509_getm_notBefore(certificate),
                                  -24 * 3600) != nullptr &&
                  ASN1_TIME_set_string_X509(X509_getm_notAfter(certificate),
                                            kNotAfter) == 1;
  if (!ok) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot fill in the certificate");
  }
  return absl::OkStatus();
}

absl::StatusOr<OpensslPtr<X509>> SelfSign(EVP_PKEY* key) {
  OpensslPtr<X509> certificate(X509_new());
  if (certificate == nullptr ||
      X509_set_version(certificate.get(), X509_VERSION_3) != 1) {
    return OpensslError(absl::StatusCode::kInternal, "X509_new");
  }
  NATFWT_RETURN_IF_ERROR(SetRandomSerial(certificate.get()));
  NATFWT_RETURN_IF_ERROR(SetNamesAndValidity(certificate.get()));
  if (X509_set_pubkey(certificate.get(), key) != 1 ||
      X509_sign(certificate.get(), key, EVP_sha256()) <= 0) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot sign the certificate");
  }
  return certificate;
}

// The data left in a read-only memory BIO.
absl::string_view Remaining(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);  // NOLINT(runtime/int)
  return size > 0 ? absl::string_view(data, static_cast<size_t>(size))
                  : absl::string_view();
}

// Reads the PEM block that must start right at the BIO's position and be
// called `name`; returns its DER contents.
absl::StatusOr<std::string> ReadPemBlock(BIO* bio, absl::string_view name) {
  const std::string begin = absl::StrCat("-----BEGIN ", name, "-----");
  if (!absl::StartsWith(Remaining(bio), begin)) {
    return Corrupt(absl::StrCat("expected a \"", name, "\" PEM block"));
  }
  char* found_name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;  // NOLINT(runtime/int): OpenSSL's type.
  const int ok = PEM_read_bio(bio, &found_name, &header, &data, &size);
  absl::Cleanup free_all = [&] {
    OPENSSL_free(found_name);
    OPENSSL_free(header);
    OPENSSL_clear_free(data, static_cast<size_t>(size > 0 ? size : 0));
  };
  if (ok != 1 || header == nullptr || header[0] != '\0') {
    DrainOpensslErrors();
    return Corrupt(absl::StrCat("the \"", name, "\" PEM block is damaged"));
  }
  return std::string(reinterpret_cast<char*>(data), static_cast<size_t>(size));
}

absl::StatusOr<OpensslPtr<EVP_PKEY>> DecodeKey(const std::string& der) {
  const unsigned char* cursor =
      reinterpret_cast<const unsigned char*>(der.data());
  OpensslPtr<EVP_PKEY> key(
      d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
  DrainOpensslErrors();
  if (key == nullptr || cursor != reinterpret_cast<const unsigned char*>(
                                      der.data() + der.size())) {
    return Corrupt("the private key does not decode");
  }
  return key;
}

absl::StatusOr<OpensslPtr<X509>> DecodeCertificate(const std::string& der) {
  const unsigned char* cursor =
      reinterpret_cast<const unsigned char*>(der.data());
  OpensslPtr<X509> certificate(
      d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  DrainOpensslErrors();
  if (certificate == nullptr ||
      cursor !=
          reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    return Corrupt("the certificate does not decode");
  }
  return certificate;
}

absl::Status CheckKeyIsValidP256(EVP_PKEY* key) {
  char group[32] = {};
  size_t group_length = 0;
  if (EVP_PKEY_is_a(key, kKeyType) != 1 ||
      EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) != 1 ||
      std::strcmp(group, kCurveGroupName) != 0) {
    DrainOpensslErrors();
    return Corrupt("the private key is not an EC P-256 key");
  }
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  const bool valid = context != nullptr && EVP_PKEY_check(context) == 1;
  EVP_PKEY_CTX_free(context);
  DrainOpensslErrors();
  if (!valid) return Corrupt("the private key fails its consistency check");
  return absl::OkStatus();
}

absl::Status CheckCertificateMatches(X509* certificate, EVP_PKEY* key) {
  const bool matches = X509_check_private_key(certificate, key) == 1;
  const bool verifies = matches && X509_verify(certificate, key) == 1;
  DrainOpensslErrors();
  if (!matches) return Corrupt("the certificate is not for the private key");
  if (!verifies) return Corrupt("the certificate signature does not verify");
  return absl::OkStatus();
}

// Parses, in order, the key block, the certificate block and the end, and
// checks that they belong together.
absl::Status ParsePem(absl::string_view pem, OpensslPtr<EVP_PKEY>* key,
                      OpensslPtr<X509>* certificate) {
  OpensslPtr<BIO> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) {
    return OpensslError(absl::StatusCode::kResourceExhausted, "BIO_new");
  }
  NATFWT_ASSIGN_OR_RETURN(std::string key_der,
                          ReadPemBlock(bio.get(), kKeyPemName));
  absl::Cleanup wipe_key_der = [&key_der] { WipeString(&key_der); };
  NATFWT_ASSIGN_OR_RETURN(std::string certificate_der,
                          ReadPemBlock(bio.get(), kCertificatePemName));
  if (!absl::StripAsciiWhitespace(Remaining(bio.get())).empty()) {
    return Corrupt("unexpected data after the certificate");
  }
  NATFWT_ASSIGN_OR_RETURN(*key, DecodeKey(key_der));
  NATFWT_ASSIGN_OR_RETURN(*certificate, DecodeCertificate(certificate_der));
  NATFWT_RETURN_IF_ERROR(CheckKeyIsValidP256(key->get()));
  NATFWT_RETURN_IF_ERROR(
      CheckCertificateMatches(certificate->get(), key->get()));
  return absl::OkStatus();
}

absl::StatusOr<Identity> LoadExisting(const std::string& path,
                                      std::string* pem) {
  absl::Cleanup wipe = [pem] { WipeString(pem); };
  absl::StatusOr<Identity> identity = Identity::FromPem(*pem);
  if (identity.ok() || !absl::IsDataLoss(identity.status())) return identity;
  return absl::DataLossError(absl::StrCat(
      "identity file ", path, " is corrupt: ", identity.status().message(),
      ". It was left untouched; move it away to create a new identity (this "
      "changes the node ID)"));
}

}  // namespace

absl::StatusOr<Fingerprint> CertificateFingerprint(const X509* certificate) {
  Fingerprint fingerprint;
  unsigned int size = 0;
  if (X509_digest(certificate, EVP_sha256(), fingerprint.data(), &size) != 1 ||
      size != fingerprint.size()) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot hash the certificate");
  }
  return fingerprint;
}

absl::StatusOr<Identity> Identity::FromParts(EVP_PKEY* key, X509* certificate) {
  absl::StatusOr<Fingerprint> fingerprint = CertificateFingerprint(certificate);
  if (!fingerprint.ok()) {
    EVP_PKEY_free(key);
    X509_free(certificate);
    return fingerprint.status();
  }
  return Identity(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free),
                  std::shared_ptr<X509>(certificate, X509_free), *fingerprint);
}

absl::StatusOr<Identity> Identity::Generate() {
  OpensslPtr<EVP_PKEY> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, kKeyType, kCurve));
  if (key == nullptr) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot generate a P-256 key");
  }
  NATFWT_ASSIGN_OR_RETURN(OpensslPtr<X509> certificate, SelfSign(key.get()));
  return FromParts(key.release(), certificate.release());
}

absl::StatusOr<Identity> Identity::FromPem(absl::string_view pem) {
  OpensslPtr<EVP_PKEY> key;
  OpensslPtr<X509> certificate;
  NATFWT_RETURN_IF_ERROR(ParsePem(pem, &key, &certificate));
  return FromParts(key.release(), certificate.release());
}

absl::StatusOr<std::string> Identity::ToPem() const {
  OpensslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0,
                                    nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(bio.get(), certificate_.get()) != 1) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot encode the identity");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);  // NOLINT
  std::string pem(data, static_cast<size_t>(size));
  OPENSSL_cleanse(data, static_cast<size_t>(size));
  return pem;
}

absl::StatusOr<Identity> Identity::LoadOrCreate(const std::string& directory) {
  NATFWT_RETURN_IF_ERROR(identity_store::PreparePrivateDirectory(directory));
  const std::string path = absl::StrCat(directory, "/", kFileName);
  NATFWT_ASSIGN_OR_RETURN(std::optional<std::string> existing,
                          identity_store::ReadPrivateFile(path, kMaxFileSize));
  if (existing.has_value()) return LoadExisting(path, &*existing);

  NATFWT_ASSIGN_OR_RETURN(Identity created, Generate());
  NATFWT_ASSIGN_OR_RETURN(std::string pem, created.ToPem());
  absl::Status status = identity_store::CreatePrivateFile(path, pem);
  WipeString(&pem);
  if (status.ok()) {
    NATFWT_LOG(kInfo) << "created node identity " << created.node_id() << " in "
                      << path;
    return created;
  }
  if (!absl::IsAlreadyExists(status)) return status;
  // Another process published its identity first: use that one.
  NATFWT_ASSIGN_OR_RETURN(existing,
                          identity_store::ReadPrivateFile(path, kMaxFileSize));
  if (!existing.has_value()) {
    return absl::InternalError(
        absl::StrCat(path, " vanished while it was being created"));
  }
  return LoadExisting(path, &*existing);
}

}  // namespace natfwt::secure
