// Copyright 2026 The natfwt Authors.
//
// A BIO that carries whole datagrams between OpenSSL's DTLS and
// DtlsHandshake (internal to engine/secure).
//
// OpenSSL 3.0's memory BIO is a byte stream: it would merge the records of
// a flight and lose the datagram boundaries DTLS depends on (3.2's
// BIO_s_dgram_mem is not available on Debian 12). This BIO_METHOD keeps
// them: each BIO_write() is one outgoing datagram appended to
// DatagramPipe::outbound, and each BIO_read() returns the one pending
// inbound datagram (truncated to the reader's buffer, as a UDP socket
// would), then reports "retry" until the next one is supplied.
//
// It never touches sockets or time: BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT is
// ignored (DtlsHandshake runs the retransmission timer on its Clock), the
// MTU queries answer DatagramPipe::mtu.
//
// Thread-safety: a pipe and its BIO belong to one SSL object and are used
// under its owner's lock.

#ifndef NATFWT_ENGINE_SECURE_DTLS_BIO_H_
#define NATFWT_ENGINE_SECURE_DTLS_BIO_H_

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace natfwt::secure {

struct DatagramPipe {
  std::vector<uint8_t> inbound;  // The datagram OpenSSL reads next.
  bool has_inbound = false;
  std::vector<std::vector<uint8_t>> outbound;  // Written, not yet sent.
  size_t mtu = 1200;                           // Reported to OpenSSL.
};

// Takes the datagrams OpenSSL wrote since the last call and packs
// consecutive ones into as few datagrams of at most pipe->mtu bytes as
// possible (RFC 6347 §4.1.1: several records may share a datagram; OpenSSL
// writes whole records). A handshake flight then travels as one datagram
// whenever it fits, which DtlsHandshake's retransmission relies on.
std::vector<std::vector<uint8_t>> TakeOutboundDatagrams(DatagramPipe* pipe);

// A new BIO over `pipe`, which is borrowed and must outlive it. The caller
// owns the BIO (SSL_set_bio takes it over). Errors: kInternal when OpenSSL
// cannot allocate.
[[nodiscard]] absl::StatusOr<BIO*> NewDatagramBio(DatagramPipe* pipe);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_DTLS_BIO_H_
