// Copyright 2026 The natfwt Authors.
//
// Small helpers for OpenSSL 3.0 inside engine/secure (not a public API of
// the engine): owning pointers with the right free function, and the one
// place where OpenSSL's thread-local error queue becomes an absl::Status.
//
// Thread-safety: OpenSSL's error queue is per thread; these helpers only
// touch the calling thread's queue.

#ifndef NATFWT_ENGINE_SECURE_OPENSSL_UTIL_H_
#define NATFWT_ENGINE_SECURE_OPENSSL_UTIL_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace natfwt::secure {

// Frees any OpenSSL object natfwt owns; one overload per type.
struct OpensslFree {
  void operator()(BIO* bio) const;
  void operator()(EVP_PKEY* key) const;
  void operator()(X509* certificate) const;
  void operator()(SSL_CTX* context) const;
  void operator()(SSL* ssl) const;
  void operator()(EVP_CIPHER* cipher) const;
  void operator()(EVP_CIPHER_CTX* context) const;
  void operator()(EVP_KDF* kdf) const;
  void operator()(EVP_KDF_CTX* context) const;
  void operator()(BIGNUM* number) const;
};

template <typename T>
using OpensslPtr = std::unique_ptr<T, OpensslFree>;

// Empties the calling thread's OpenSSL error queue and returns its entries
// as "reason (lib), reason (lib)"; "no OpenSSL error recorded" when empty.
std::string DrainOpensslErrors();

// absl::Status(code, "<what>: <DrainOpensslErrors()>").
absl::Status OpensslError(absl::StatusCode code, absl::string_view what);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_OPENSSL_UTIL_H_
