// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for the rendezvous server's input path: bytes go
// through the LineFramer in chunks (sizes taken from the input), and every
// line through both message parsers. Properties: the framer never holds
// more than its bound, never yields a line longer than kMaxLineSize; a
// line that parses re-encodes to a line that parses to the same message;
// a rejection is kInvalidArgument with a message. Seed corpus:
// corpus/frame/ (valid REGISTER/PUBLISH/SIGNAL lines with real envelopes,
// server lines, ERR variants, split and oversized lines, garbage).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/rendezvous/protocol.h"

namespace {

using natfwt::rendezvous::ClientMessage;
using natfwt::rendezvous::ServerMessage;

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckRejection(const absl::Status& status) {
  Check(status.code() == absl::StatusCode::kInvalidArgument);
  Check(!status.message().empty());
}

std::string Unterminated(std::string line) {
  Check(!line.empty() && line.back() == '\n');
  line.pop_back();
  Check(line.size() < natfwt::rendezvous::kMaxLineSize);
  return line;
}

void ParseAsClient(const std::string& line) {
  absl::StatusOr<ClientMessage> message =
      natfwt::rendezvous::ParseClientMessage(line);
  if (!message.ok()) return CheckRejection(message.status());
  absl::StatusOr<ClientMessage> again = natfwt::rendezvous::ParseClientMessage(
      Unterminated(natfwt::rendezvous::EncodeClientMessage(*message)));
  Check(again.ok() && again->verb == message->verb &&
        again->envelope == message->envelope && again->auth == message->auth &&
        again->token == message->token);
}

void ParseAsServer(const std::string& line) {
  absl::StatusOr<ServerMessage> message =
      natfwt::rendezvous::ParseServerMessage(line);
  if (!message.ok()) return CheckRejection(message.status());
  absl::StatusOr<ServerMessage> again = natfwt::rendezvous::ParseServerMessage(
      Unterminated(natfwt::rendezvous::EncodeServerMessage(*message)));
  Check(again.ok() && again->verb == message->verb &&
        again->challenge == message->challenge &&
        again->node_id == message->node_id &&
        again->envelope == message->envelope && again->token == message->token);
  if (message->verb == natfwt::rendezvous::ServerVerb::kError) {
    Check(again->error == message->error && again->text == message->text);
  }
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size, so seeds cover lines split
  // anywhere.
  const size_t chunk = 1 + data[0] * 97;
  absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  natfwt::rendezvous::LineFramer framer;
  while (!rest.empty()) {
    const absl::string_view piece = rest.substr(0, chunk);
    rest.remove_prefix(piece.size());
    const absl::Status appended = framer.Append(piece);
    if (!appended.ok()) {
      Check(appended.code() == absl::StatusCode::kResourceExhausted);
      Check(framer.buffered() == 0);
      return 0;
    }
    while (std::optional<std::string> line = framer.Next()) {
      Check(line->size() < natfwt::rendezvous::kMaxLineSize);
      ParseAsClient(*line);
      ParseAsServer(*line);
    }
    Check(framer.buffered() < natfwt::rendezvous::kMaxLineSize);
  }
  return 0;
}
