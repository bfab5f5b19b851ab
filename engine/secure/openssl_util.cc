// Copyright 2026 The natfwt Authors.

#include "engine/secure/openssl_util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"

namespace natfwt::secure {

void OpensslFree::operator()(BIO* bio) const { BIO_free_all(bio); }
void OpensslFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
void OpensslFree::operator()(X509* certificate) const {
  X509_free(certificate);
}
void OpensslFree::operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
void OpensslFree::operator()(SSL* ssl) const { SSL_free(ssl); }
void OpensslFree::operator()(EVP_CIPHER* cipher) const {
  EVP_CIPHER_free(cipher);
}
void OpensslFree::operator()(EVP_CIPHER_CTX* context) const {
  EVP_CIPHER_CTX_free(context);
}
void OpensslFree::operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
void OpensslFree::operator()(EVP_KDF_CTX* context) const {
  EVP_KDF_CTX_free(context);
}
void OpensslFree::operator()(BIGNUM* number) const { BN_free(number); }

std::string DrainOpensslErrors() {
  std::string text;
  unsigned long error;  // NOLINT(runtime/int): OpenSSL's type.
  while ((error = ERR_get_error()) != 0) {
    const char* reason = ERR_reason_error_string(error);
    const char* library = ERR_lib_error_string(error);
    absl::StrAppend(&text, text.empty() ? "" : ", ",
                    reason != nullptr ? reason : "unknown reason", " (",
                    library != nullptr ? library : "unknown library", ")");
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

absl::Status OpensslError(absl::StatusCode code, absl::string_view what) {
  return absl::Status(code, absl::StrCat(what, ": ", DrainOpensslErrors()));
}

}  // namespace natfwt::secure
