// Copyright 2026 The natfwt Authors.
//
// Fuzz target: the lab's parsers, the STUN Binding response (bytes from
// the network), the state file (a file an administrator may edit) and the
// JSON reader (what the demo and tests read back from `natfwt status
// --json`), take any input without crashing or reading out of bounds. The
// first input byte picks the parser.

#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/lab/lab_state.h"
#include "tools/lab/stun_binding.h"
#include "tools/natfwt/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 3) == 2) {
    absl::StatusOr<natfwt::cli::JsonValue> json = natfwt::cli::ParseJson(
        absl::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    if (json.ok()) (void)(*json)["peers"].array().size();
    return 0;
  }
  if (data[0] & 1) {
    absl::StatusOr<natfwt::lab::LabState> state = natfwt::lab::ParseLabState(
        std::string(reinterpret_cast<const char*>(data + 1), size - 1));
    if (state.ok()) (void)natfwt::lab::SerializeLabState(*state);
    return 0;
  }
  natfwt::lab::StunTransactionId id{};
  for (size_t i = 0; i < id.size() && 9 + i < size; ++i) id[i] = data[9 + i];
  (void)natfwt::lab::ParseBindingResponse(
      absl::MakeConstSpan(data + 1, size - 1), id);
  return 0;
}
