// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for the envelope verifier: DecodeEnvelope, the
// signature and expectation checks (VerifyEnvelope), the body decoders and
// the replay cache, over arbitrary bytes. Properties: an envelope that
// decodes re-assembles to exactly the input (one encoding per envelope);
// verification fails only with the documented codes; body decoders round
// trip. Seed corpus: corpus/envelope/ (real signed signals, records and
// auth envelopes, tampered, truncated and oversized ones).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/rendezvous/signed_envelope.h"

namespace {

namespace rdv = natfwt::rendezvous;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckBodies(const rdv::Envelope& envelope) {
  const std::string& body = envelope.fields.body;
  absl::StatusOr<rdv::Signal> signal = rdv::DecodeSignalBody(body);
  if (signal.ok()) {
    absl::StatusOr<std::string> again =
        rdv::EncodeSignalBody(signal->kind, signal->payload);
    Check(again.ok() && *again == body);
  }
  absl::StatusOr<rdv::NodeRecord> record = rdv::DecodeRecordBody(body);
  if (record.ok()) {
    absl::StatusOr<std::string> again = rdv::EncodeRecordBody(*record);
    Check(again.ok() && *again == body);
  }
}

void CheckVerification(absl::string_view bytes, const rdv::Envelope& decoded) {
  rdv::Expectation expectation;
  expectation.kind = decoded.fields.kind;
  expectation.network = decoded.fields.network;
  expectation.to = decoded.fields.to;
  expectation.freshness = absl::Minutes(5);
  expectation.now_ms = decoded.fields.signed_at_ms;
  absl::StatusOr<rdv::Envelope> verified =
      rdv::VerifyEnvelope(bytes, expectation);
  if (!verified.ok()) {
    // Decoding worked, so only the signature can fail here.
    Check(verified.status().code() == absl::StatusCode::kUnauthenticated);
    return;
  }
  rdv::ReplayCache cache(2);
  Check(cache
            .Insert(verified->fields.from, verified->fields.nonce,
                    verified->fields.signed_at_ms, 0)
            .ok());
  Check(rdv::RejectionOf(cache.Insert(
            verified->fields.from, verified->fields.nonce,
            verified->fields.signed_at_ms, 0)) == rdv::Rejection::kReplayed);
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<rdv::Envelope> decoded = rdv::DecodeEnvelope(bytes);
  if (!decoded.ok()) {
    Check(decoded.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!decoded.status().message().empty());
    return 0;
  }
  Check(rdv::AssembleEnvelope(decoded->signed_part, decoded->certificate_der,
                              decoded->signature) == bytes);
  Check(rdv::EncodeSignedPart(decoded->fields) == decoded->signed_part);
  CheckBodies(*decoded);
  CheckVerification(bytes, *decoded);
  return 0;
}
