// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for stun::AnswerBindingRequest with the RFC 5769 sample
// credentials (ufrag "evtj", password "VOkJxbRl1RmTxUk/WvJxBt"). Invariants
// (abort on violation): every refusal carries one of the documented codes;
// an answer is at most kMaxAnswerSize bytes and is itself a well-formed,
// correctly fingerprinted STUN message (given back, it is refused as "not a
// request", never as malformed). The first input byte picks the source
// family. Seed corpus: corpus/stun_binding/ (the RFC 5769 request, the same
// without FINGERPRINT, an indication, truncated and garbage inputs).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/session/stun_binding.h"

namespace {

using natfwt::engine::stun::AnswerBindingRequest;
using natfwt::engine::stun::kMaxAnswerSize;
using natfwt::engine::stun::LocalCredentials;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Documented(absl::StatusCode code) {
  return code == absl::StatusCode::kInvalidArgument ||
         code == absl::StatusCode::kFailedPrecondition ||
         code == absl::StatusCode::kUnauthenticated;
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool v6 = (data[0] & 1) != 0;
  const natfwt::net::UdpEndpoint source{
      v6 ? *natfwt::net::IpAddress::Parse("2001:db8::7")
         : *natfwt::net::IpAddress::Parse("192.0.2.7"),
      static_cast<uint16_t>(data[0] * 257)};
  const LocalCredentials local{"evtj", "VOkJxbRl1RmTxUk/WvJxBt"};
  uint8_t answer[kMaxAnswerSize];
  absl::StatusOr<size_t> size_or = AnswerBindingRequest(
      absl::MakeConstSpan(data + 1, size - 1), source, local, answer);
  if (!size_or.ok()) {
    Check(Documented(size_or.status().code()));
    return 0;
  }
  Check(*size_or <= kMaxAnswerSize);
  uint8_t again[kMaxAnswerSize];
  absl::StatusOr<size_t> echo = AnswerBindingRequest(
      absl::MakeConstSpan(answer, *size_or), source, local, again);
  Check(echo.status().code() == absl::StatusCode::kFailedPrecondition);
  return 0;
}
