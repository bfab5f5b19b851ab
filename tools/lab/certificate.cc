// Copyright 2026 The natfwt Authors.
//
// Self-signed certificate generation with libcrypto.

#include "tools/lab/certificate.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace natfwt::lab {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using NamesPtr =
    std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

absl::Status OpenSslError(absl::string_view call) {
  unsigned long code = ERR_get_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof(text));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(call, ": ", text));
}

absl::Status AddIpNames(X509* cert, const std::vector<std::string>& ips) {
  NamesPtr names(GENERAL_NAMES_new());
  for (const std::string& ip : ips) {
    unsigned char raw[4];
    if (inet_pton(AF_INET, ip.c_str(), raw) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", ip, "' is not an IPv4 address"));
    }
    ASN1_OCTET_STRING* octets = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(octets, raw, sizeof(raw));
    GENERAL_NAME* name = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
    sk_GENERAL_NAME_push(names.get(), name);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0,
                        X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("X509_add1_ext_i2d");
  }
  return absl::OkStatus();
}

absl::Status FillCertificate(X509* cert, EVP_PKEY* key,
                             absl::string_view common_name,
                             const std::vector<std::string>& ips) {
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1)
    return OpenSslError("RAND_bytes");
  serial[0] &= 0x7f;  // A positive INTEGER (RFC 5280 section 4.1.2.2).
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_set_version(cert, X509_VERSION_3);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert);
  std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, key);
  if (absl::Status s = AddIpNames(cert, ips); !s.ok()) return s;
  if (X509_sign(cert, key, EVP_sha256()) == 0) return OpenSslError("X509_sign");
  return absl::OkStatus();
}

absl::StatusOr<std::string> BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (size <= 0) return absl::InternalError("empty PEM output");
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::StatusOr<PemCertificate> GenerateSelfSignedCertificate(
    absl::string_view common_name,
    const std::vector<std::string>& ip_addresses) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("EVP_EC_gen");
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  if (absl::Status s =
          FillCertificate(cert.get(), key.get(), common_name, ip_addresses);
      !s.ok()) {
    return s;
  }
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0,
                               nullptr, nullptr) != 1) {
    return OpenSslError("PEM_write_bio");
  }
  PemCertificate pem;
  absl::StatusOr<std::string> cert_text = BioText(cert_bio.get());
  if (!cert_text.ok()) return cert_text.status();
  absl::StatusOr<std::string> key_text = BioText(key_bio.get());
  if (!key_text.ok()) return key_text.status();
  pem.certificate = std::move(*cert_text);
  pem.private_key = std::move(*key_text);
  return pem;
}

}  // namespace natfwt::lab
