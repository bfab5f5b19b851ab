// Copyright 2026 The natfwt Authors.
//
// The lab's self-signed TURN/TLS certificate: parses, names the server
// addresses, matches its key and verifies as its own trust anchor (as a
// client with tls_ca_file = the certificate would).

#include "tools/lab/certificate.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;

X509* ReadCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

EVP_PKEY* ReadKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

// Verifies `cert` against a store holding only itself, for host `ip`.
int Verify(X509* cert, const char* ip) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, cert);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_VERIFY_PARAM_set1_ip_asc(X509_STORE_CTX_get0_param(ctx), ip);
  int ok = X509_verify_cert(ctx);
  int error = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return error;
}

TEST(Certificate, SelfSignedForTheServerAddresses) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      PemCertificate pem,
      GenerateSelfSignedCertificate("lab", {"203.0.113.1", "203.0.113.2"}));
  X509* cert = ReadCertificate(pem.certificate);
  ASSERT_NE(cert, nullptr);
  EVP_PKEY* key = ReadKey(pem.private_key);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert, key), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "203.0.113.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "203.0.113.2", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "203.0.113.3", 0), 0);
  EXPECT_EQ(Verify(cert, "203.0.113.1"), X509_V_OK);
  EXPECT_EQ(Verify(cert, "203.0.113.9"), X509_V_ERR_IP_ADDRESS_MISMATCH);
  EVP_PKEY_free(key);
  X509_free(cert);
}

TEST(Certificate, EachOneIsFresh) {
  NATFWT_ASSERT_OK_AND_ASSIGN(PemCertificate a,
                              GenerateSelfSignedCertificate("a", {"10.0.0.1"}));
  NATFWT_ASSERT_OK_AND_ASSIGN(PemCertificate b,
                              GenerateSelfSignedCertificate("a", {"10.0.0.1"}));
  EXPECT_NE(a.private_key, b.private_key);
  EXPECT_NE(a.certificate, b.certificate);
}

TEST(Certificate, RejectsBadAddress) {
  EXPECT_THAT(GenerateSelfSignedCertificate("a", {"not-an-ip"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::lab
