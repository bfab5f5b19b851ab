// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for ParseNodeId: whatever parses must format back to the
// same text; whatever does not is kInvalidArgument with a message. Seed
// corpus: corpus/node_id/ (a valid ID, the OpenSSL colon form, uppercase,
// lengths around 64, non-ASCII bytes).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/secure/node_id.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<natfwt::secure::Fingerprint> parsed =
      natfwt::secure::ParseNodeId(text);
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!parsed.status().message().empty());
    return 0;
  }
  Check(natfwt::secure::FormatNodeId(*parsed) == text);
  return 0;
}
