// Copyright 2026 The natfwt Authors.

#include "engine/secure/dtls_bio.h"

#include <openssl/bio.h>

#include <algorithm>
#include <cstring>

#include "engine/secure/openssl_util.h"

namespace natfwt::secure {
namespace {

DatagramPipe* PipeOf(BIO* bio) {
  return static_cast<DatagramPipe*>(BIO_get_data(bio));
}

int WriteDatagram(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  if (size < 0) return -1;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data);
  PipeOf(bio)->outbound.emplace_back(bytes, bytes + size);
  return size;
}

int ReadDatagram(BIO* bio, char* out, int size) {
  BIO_clear_retry_flags(bio);
  DatagramPipe* pipe = PipeOf(bio);
  if (!pipe->has_inbound) {
    BIO_set_retry_read(bio);
    return -1;
  }
  pipe->has_inbound = false;
  const size_t copied =
      std::min(pipe->inbound.size(), static_cast<size_t>(std::max(size, 0)));
  if (copied > 0) std::memcpy(out, pipe->inbound.data(), copied);
  return static_cast<int>(copied);
}

long Control(BIO* bio, int command, long, void*) {  // NOLINT(runtime/int)
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return static_cast<long>(PipeOf(bio)->mtu);  // NOLINT(runtime/int)
    case BIO_CTRL_PENDING:
      return PipeOf(bio)->has_inbound
                 ? static_cast<long>(PipeOf(bio)->inbound.size())  // NOLINT
                 : 0;
    default:
      // WPENDING (nothing is buffered), SET_NEXT_TIMEOUT (our Clock runs
      // the timer), MTU_EXCEEDED, GET_MTU_OVERHEAD and the rest: 0.
      return 0;
  }
}

int Create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* MakeMethod() {
  BIO_METHOD* method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                    "natfwt datagram pipe");
  if (method == nullptr || BIO_meth_set_write(method, WriteDatagram) != 1 ||
      BIO_meth_set_read(method, ReadDatagram) != 1 ||
      BIO_meth_set_ctrl(method, Control) != 1 ||
      BIO_meth_set_create(method, Create) != 1) {
    BIO_meth_free(method);
    return nullptr;
  }
  return method;
}

// Created once and kept for the process (BIOs reference it until freed).
const BIO_METHOD* Method() {
  static BIO_METHOD* const method = MakeMethod();
  return method;
}

}  // namespace

std::vector<std::vector<uint8_t>> TakeOutboundDatagrams(DatagramPipe* pipe) {
  std::vector<std::vector<uint8_t>> datagrams;
  for (std::vector<uint8_t>& write : pipe->outbound) {
    if (!datagrams.empty() &&
        datagrams.back().size() + write.size() <= pipe->mtu) {
      datagrams.back().insert(datagrams.back().end(), write.begin(),
                              write.end());
    } else {
      datagrams.push_back(std::move(write));
    }
  }
  pipe->outbound.clear();
  return datagrams;
}

absl::StatusOr<BIO*> NewDatagramBio(DatagramPipe* pipe) {
  const BIO_METHOD* method = Method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) {
    return OpensslError(absl::StatusCode::kInternal,
                        "cannot create the DTLS datagram BIO");
  }
  BIO_set_data(bio, pipe);
  return bio;
}

}  // namespace natfwt::secure
