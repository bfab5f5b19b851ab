// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for the answer parsers of stun_codec.h. The first input
// byte picks the parser (low two bits):
//   0  StunClient::ParseBindingResponse, FINGERPRINT on the requests
//   1  the same with FINGERPRINT off
//   2  TurnClient::ParseAllocateResponse
//   3  TurnClient::ParseRefreshResponse (after a 401 challenge built with
//      libnice's server side, so a Refresh can be made)
// The rest is the answer. So that inputs reach past the transaction match,
// its transaction ID (bytes 8-19) is replaced by the request's, and a
// trailing FINGERPRINT is recomputed. Invariants (abort on violation):
// refusals carry a documented code; a Binding success has a mapped
// address; an Allocate success has a relayed address; IsBindingRequest and
// StunMessageSize never crash. Seed corpus: corpus/stun_codec/, written by
// gen_stun_codec_corpus.py.

#include <stun/stunagent.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/probe/stun_codec.h"
#include "engine/session/stun_binding.h"

namespace {

using natfwt::probe::StunClient;
using natfwt::probe::StunRequest;
using natfwt::probe::TransactionId;
using natfwt::probe::TurnClient;
using natfwt::probe::TurnResponse;

void Check(bool condition) {
  if (!condition) std::abort();
}

bool Documented(absl::StatusCode code) {
  return code == absl::StatusCode::kInvalidArgument ||
         code == absl::StatusCode::kNotFound ||
         code == absl::StatusCode::kFailedPrecondition;
}

// Gives `message` the transaction `id` and a correct trailing FINGERPRINT
// (RFC 8489 section 14.7), when it has one.
std::vector<uint8_t> Adopt(const uint8_t* data, size_t size,
                           const TransactionId& id) {
  std::vector<uint8_t> message(data, data + size);
  if (size < 20) return message;
  std::memcpy(message.data() + 8, id.data(), id.size());
  if (size >= 28 && message[size - 8] == 0x80 && message[size - 7] == 0x28 &&
      message[size - 6] == 0 && message[size - 5] == 4) {
    const uint32_t crc = natfwt::engine::stun::Crc32(
                             absl::MakeConstSpan(message.data(), size - 8)) ^
                         0x5354554e;
    for (int i = 0; i < 4; ++i) {
      message[size - 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    }
  }
  return message;
}

// A 401 with REALM and NONCE answering `request`, from libnice's server side.
std::vector<uint8_t> Challenge(std::vector<uint8_t> request) {
  StunAgent server;
  stun_agent_init(
      &server, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
      static_cast<StunAgentUsageFlags>(STUN_AGENT_USAGE_IGNORE_CREDENTIALS |
                                       STUN_AGENT_USAGE_USE_FINGERPRINT));
  StunMessage in;
  Check(stun_agent_validate(&server, &in, request.data(), request.size(),
                            nullptr, nullptr) == STUN_VALIDATION_SUCCESS);
  std::vector<uint8_t> out(512);
  StunMessage message;
  Check(stun_agent_init_error(&server, &message, out.data(), out.size(), &in,
                              STUN_ERROR_UNAUTHORIZED));
  stun_message_append_string(&message, STUN_ATTRIBUTE_REALM, "fuzz");
  stun_message_append_string(&message, STUN_ATTRIBUTE_NONCE, "nonce");
  out.resize(stun_agent_finish_message(&server, &message, nullptr, 0));
  return out;
}

void FuzzBinding(bool fingerprint, const uint8_t* data, size_t size) {
  StunClient client({.fingerprint = fingerprint});
  absl::StatusOr<StunRequest> request = client.BindingRequest(
      {.change_ip = (size & 1) != 0, .change_port = (size & 2) != 0});
  Check(request.ok());
  const std::vector<uint8_t> message = Adopt(data, size, request->id);
  absl::StatusOr<natfwt::probe::BindingResponse> response =
      client.ParseBindingResponse(message);
  if (!response.ok()) {
    Check(Documented(response.status().code()));
  } else {
    Check(response->id == request->id);
    Check(response->error_code.has_value() || response->mapped.has_value());
  }
  (void)natfwt::probe::IsBindingRequest(message, request->id);
  (void)natfwt::probe::StunMessageSize(message);
}

void CheckTurn(const absl::StatusOr<TurnResponse>& response, bool allocate) {
  if (!response.ok()) {
    Check(Documented(response.status().code()));
    return;
  }
  if (allocate && response->kind == TurnResponse::Kind::kSuccess) {
    Check(response->relayed.has_value());
  }
}

void FuzzTurn(bool refresh, const uint8_t* data, size_t size) {
  TurnClient client("fuzz", "secret");
  absl::StatusOr<StunRequest> request = client.AllocateRequest();
  Check(request.ok());
  if (!refresh) {
    CheckTurn(client.ParseAllocateResponse(Adopt(data, size, request->id)),
              true);
    return;
  }
  absl::StatusOr<TurnResponse> challenged =
      client.ParseAllocateResponse(Challenge(request->bytes));
  Check(challenged.ok() && challenged->kind == TurnResponse::Kind::kChallenge);
  absl::StatusOr<StunRequest> release = client.ReleaseRequest();
  Check(release.ok());
  CheckTurn(client.ParseRefreshResponse(Adopt(data, size, release->id)), false);
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] & 3;
  if (mode < 2) {
    FuzzBinding(mode == 0, data + 1, size - 1);
  } else {
    FuzzTurn(mode == 3, data + 1, size - 1);
  }
  return 0;
}
