// Copyright 2026 The natfwt Authors.
//
// The rendezvous line protocol: encoders, strict parsers, the line framer.

#include "engine/rendezvous/protocol.h"

#include <array>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/ice/base64url.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/secure/node_id.h"
#include "platform/base/status_macros.h"

namespace natfwt::rendezvous {
namespace {

constexpr std::array<absl::string_view, kErrorCodeCount> kErrorNames = {
    "malformed", "protocol",     "not-registered", "forbidden",
    "outdated",  "unknown-peer", "rate-limited",   "full",
    "replaced",  "idle",         "oversized",      "other",
};
constexpr size_t kMaxErrorNameLength = 32;
// An envelope field as base64url: 4 characters per 3 bytes, rounded up.
constexpr size_t kMaxEnvelopeText = (kMaxEnvelopeSize * 4 + 2) / 3;

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

std::string Base64(absl::string_view bytes) {
  return ice::Base64UrlEncode(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

absl::StatusOr<std::string> FromBase64(absl::string_view text,
                                       absl::string_view field,
                                       size_t max_text) {
  if (text.size() > max_text) {
    return Malformed(absl::StrCat(field, " too long"));
  }
  absl::StatusOr<std::vector<uint8_t>> bytes = ice::Base64UrlDecode(text);
  if (!bytes.ok()) {
    return Malformed(absl::StrCat(field, ": ", bytes.status().message()));
  }
  return std::string(bytes->begin(), bytes->end());
}

absl::StatusOr<std::string> EnvelopeField(absl::string_view text,
                                          absl::string_view field) {
  NATFWT_ASSIGN_OR_RETURN(std::string bytes,
                          FromBase64(text, field, kMaxEnvelopeText));
  if (bytes.empty()) return Malformed(absl::StrCat(field, " is empty"));
  return bytes;
}

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

absl::Status CheckToken(absl::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) {
    return Malformed("a token has 1 to 32 characters");
  }
  for (char c : token) {
    if (!IsTokenChar(c)) return Malformed("a token is [A-Za-z0-9_-]");
  }
  return absl::OkStatus();
}

absl::Status CheckLine(absl::string_view line) {
  if (line.empty()) return Malformed("empty line");
  if (line.size() >= kMaxLineSize) return Malformed("line too long");
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] < 0x20 || line[i] > 0x7e) {
      return Malformed(absl::StrCat("non-printable byte at offset ", i));
    }
  }
  return absl::OkStatus();
}

// Checks the characters and splits into words; "A  B", " A" and "A " have
// empty words and are refused.
absl::StatusOr<std::vector<absl::string_view>> Words(absl::string_view line) {
  NATFWT_RETURN_IF_ERROR(CheckLine(line));
  std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
  for (absl::string_view word : words) {
    if (word.empty()) return Malformed("words are separated by one space");
  }
  return words;
}

absl::Status ExpectCount(const std::vector<absl::string_view>& words,
                         size_t min, size_t max) {
  if (words.size() < min || words.size() > max) {
    return Malformed(
        absl::StrCat(words[0], " takes ", min - 1,
                     min == max ? "" : absl::StrCat(" to ", max - 1),
                     " field(s), got ", words.size() - 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NodeIdField(absl::string_view text) {
  absl::StatusOr<secure::Fingerprint> parsed = secure::ParseNodeId(text);
  if (!parsed.ok()) {
    return Malformed(absl::StrCat("node ID: ", parsed.status().message()));
  }
  return std::string(text);
}

std::string Sanitised(absl::string_view text) {
  std::string out(text.substr(0, kMaxErrorText));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

ErrorCode ErrorCodeFromName(absl::string_view name) {
  for (size_t i = 0; i + 1 < kErrorCodeCount; ++i) {
    if (kErrorNames[i] == name) return static_cast<ErrorCode>(i);
  }
  return ErrorCode::kOther;
}

absl::Status ParseError(absl::string_view line, ServerMessage* message) {
  // ERR <code> <text>: the text is the rest of the line, spaces included.
  std::vector<absl::string_view> head =
      absl::StrSplit(line, absl::MaxSplits(' ', 2));
  if (head.size() != 3 || head[2].empty()) {
    return Malformed("ERR takes a code and a text");
  }
  const absl::string_view code = head[1];
  if (code.empty() || code.size() > kMaxErrorNameLength) {
    return Malformed("an error code has 1 to 32 characters");
  }
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) {
      return Malformed("an error code is [a-z-]");
    }
  }
  if (head[2].size() > kMaxErrorText) return Malformed("error text too long");
  message->error = ErrorCodeFromName(code);
  message->error_name = std::string(code);
  message->text = std::string(head[2]);
  return absl::OkStatus();
}

absl::Status ParseHello(const std::vector<absl::string_view>& words,
                        ServerMessage* message) {
  NATFWT_RETURN_IF_ERROR(ExpectCount(words, 3, 3));
  if (words[1] != kProtocolVersion) {
    return Malformed(absl::StrCat("unsupported protocol '", words[1], "'"));
  }
  NATFWT_ASSIGN_OR_RETURN(message->challenge,
                          FromBase64(words[2], "challenge", 64));
  if (message->challenge.size() != kChallengeSize) {
    return Malformed("the challenge is 32 bytes");
  }
  return absl::OkStatus();
}

absl::Status ParseClientWords(const std::vector<absl::string_view>& words,
                              ClientMessage* message) {
  const absl::string_view verb = words[0];
  if (verb == "REGISTER") {
    message->verb = ClientVerb::kRegister;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 3, 3));
    NATFWT_ASSIGN_OR_RETURN(message->envelope,
                            EnvelopeField(words[1], "record"));
    NATFWT_ASSIGN_OR_RETURN(message->auth, EnvelopeField(words[2], "auth"));
  } else if (verb == "PUBLISH" || verb == "SIGNAL") {
    message->verb =
        verb == "PUBLISH" ? ClientVerb::kPublish : ClientVerb::kSignal;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 2, 2));
    NATFWT_ASSIGN_OR_RETURN(message->envelope,
                            EnvelopeField(words[1], "envelope"));
  } else if (verb == "PING") {
    message->verb = ClientVerb::kPing;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 1, 2));
    if (words.size() == 2) {
      NATFWT_RETURN_IF_ERROR(CheckToken(words[1]));
      message->token = std::string(words[1]);
    }
  } else if (verb == "BYE") {
    message->verb = ClientVerb::kBye;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 1, 1));
  } else {
    return Malformed(absl::StrCat("unknown verb '", verb.substr(0, 32), "'"));
  }
  return absl::OkStatus();
}

absl::Status ParseServerWords(const std::vector<absl::string_view>& words,
                              ServerMessage* message) {
  const absl::string_view verb = words[0];
  if (verb == "HELLO") {
    message->verb = ServerVerb::kHello;
    return ParseHello(words, message);
  }
  if (verb == "WELCOME" || verb == "GONE") {
    message->verb = verb == "GONE" ? ServerVerb::kGone : ServerVerb::kWelcome;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 2, 2));
    NATFWT_ASSIGN_OR_RETURN(message->node_id, NodeIdField(words[1]));
    return absl::OkStatus();
  }
  if (verb == "PEER" || verb == "SIGNAL") {
    message->verb = verb == "PEER" ? ServerVerb::kPeer : ServerVerb::kSignal;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 2, 2));
    NATFWT_ASSIGN_OR_RETURN(message->envelope,
                            EnvelopeField(words[1], "envelope"));
    return absl::OkStatus();
  }
  if (verb == "PONG") {
    message->verb = ServerVerb::kPong;
    NATFWT_RETURN_IF_ERROR(ExpectCount(words, 1, 2));
    if (words.size() == 2) {
      NATFWT_RETURN_IF_ERROR(CheckToken(words[1]));
      message->token = std::string(words[1]);
    }
    return absl::OkStatus();
  }
  return Malformed(absl::StrCat("unknown verb '", verb.substr(0, 32), "'"));
}

}  // namespace

absl::string_view ErrorCodeName(ErrorCode code) {
  return kErrorNames[static_cast<size_t>(code)];
}

std::string EncodeClientMessage(const ClientMessage& message) {
  switch (message.verb) {
    case ClientVerb::kRegister:
      return absl::StrCat("REGISTER ", Base64(message.envelope), " ",
                          Base64(message.auth), "\n");
    case ClientVerb::kPublish:
      return absl::StrCat("PUBLISH ", Base64(message.envelope), "\n");
    case ClientVerb::kSignal:
      return absl::StrCat("SIGNAL ", Base64(message.envelope), "\n");
    case ClientVerb::kPing:
      return message.token.empty() ? "PING\n"
                                   : absl::StrCat("PING ", message.token, "\n");
    case ClientVerb::kBye:
      return "BYE\n";
  }
  return "";
}

std::string EncodeServerMessage(const ServerMessage& message) {
  switch (message.verb) {
    case ServerVerb::kHello:
      return absl::StrCat("HELLO ", kProtocolVersion, " ",
                          Base64(message.challenge), "\n");
    case ServerVerb::kWelcome:
      return absl::StrCat("WELCOME ", message.node_id, "\n");
    case ServerVerb::kPeer:
      return absl::StrCat("PEER ", Base64(message.envelope), "\n");
    case ServerVerb::kGone:
      return absl::StrCat("GONE ", message.node_id, "\n");
    case ServerVerb::kSignal:
      return absl::StrCat("SIGNAL ", Base64(message.envelope), "\n");
    case ServerVerb::kPong:
      return message.token.empty() ? "PONG\n"
                                   : absl::StrCat("PONG ", message.token, "\n");
    case ServerVerb::kError:
      return ErrorLine(message.error, message.text);
  }
  return "";
}

std::string ErrorLine(ErrorCode code, absl::string_view text) {
  // The text is required on the wire; "-" stands for none.
  const absl::string_view shown = text.empty() ? "-" : text;
  return absl::StrCat("ERR ", ErrorCodeName(code), " ", Sanitised(shown), "\n");
}

absl::StatusOr<ClientMessage> ParseClientMessage(absl::string_view line) {
  NATFWT_ASSIGN_OR_RETURN(std::vector<absl::string_view> words, Words(line));
  ClientMessage message;
  NATFWT_RETURN_IF_ERROR(ParseClientWords(words, &message));
  return message;
}

absl::StatusOr<ServerMessage> ParseServerMessage(absl::string_view line) {
  ServerMessage message;
  if (absl::StartsWith(line, "ERR ")) {
    // The text may hold any spaces, so ERR skips Words().
    NATFWT_RETURN_IF_ERROR(CheckLine(line));
    message.verb = ServerVerb::kError;
    NATFWT_RETURN_IF_ERROR(ParseError(line, &message));
    return message;
  }
  NATFWT_ASSIGN_OR_RETURN(std::vector<absl::string_view> words, Words(line));
  NATFWT_RETURN_IF_ERROR(ParseServerWords(words, &message));
  return message;
}

// ---- LineFramer ----

absl::Status LineFramer::Append(absl::string_view bytes) {
  if (broken_) return absl::ResourceExhaustedError("line too long");
  for (char c : bytes) {
    if (c == '\n') {
      partial_length_ = 0;
    } else if (++partial_length_ >= max_line_) {
      // The newline would make the line longer than max_line_.
      broken_ = true;
      Clear();
      return absl::ResourceExhaustedError(
          absl::StrCat("line longer than ", max_line_, " bytes"));
    }
  }
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
  return absl::OkStatus();
}

std::optional<std::string> LineFramer::Next() {
  const size_t newline = buffer_.find('\n', consumed_);
  if (newline == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(consumed_, newline - consumed_);
  consumed_ = newline + 1;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  return line;
}

void LineFramer::Clear() {
  buffer_.clear();
  consumed_ = 0;
  partial_length_ = 0;
}

}  // namespace natfwt::rendezvous
