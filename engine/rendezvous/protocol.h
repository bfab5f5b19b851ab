// Copyright 2026 The natfwt Authors.
//
// The rendezvous wire protocol: text lines over one TCP connection per node
// (TCP so that hosts which can only reach TCP 443 or 3478 can use it).
//
// A message is one line: printable ASCII words separated by single spaces,
// ending in "\n" (no "\r"), at most kMaxLineSize bytes with the newline.
// Binary fields (envelopes, the challenge) are base64url without padding
// (RFC 4648 §5). Every field is checked strictly; a line that fails is
// answered with an ERR and counted, and the connection survives. Only a
// broken frame (a line longer than kMaxLineSize) closes it.
//
//   server -> client, on accept:
//     HELLO natfwt-rendezvous/1 <challenge>      32 random bytes
//   client -> server:
//     REGISTER <record envelope> <auth envelope> auth body = the challenge
//     PUBLISH <record envelope>                  replaces this node's record
//     SIGNAL <signal envelope>                   relayed to its addressee
//     PING [<token>]                             answered with PONG
//     BYE                                        unregister and close
//   server -> client:
//     WELCOME <node ID>                          registration accepted
//     PEER <record envelope>                     a member's record
//     GONE <node ID>                             a member disconnected
//     SIGNAL <signal envelope>                   relayed from a member
//     PONG [<token>]
//     ERR <code> <text>                          code: [a-z-]{1,32}
//
// The envelopes are signed_envelope.h's. A token is [A-Za-z0-9_-]{1,32};
// ERR text is printable ASCII, at most 256 bytes, may contain spaces.
// Unknown ERR codes parse as ErrorCode::kOther (newer servers may add some).
//
// Sizes: the largest envelope (a 16 KiB signal) is about 19 KiB, 25 KiB as
// base64url, so kMaxLineSize = 32 KiB (implementation choice) fits every
// valid message and bounds a connection's input buffer.
//
// Thread-safety: pure functions; a LineFramer is a plain value.

#ifndef NATFWT_ENGINE_RENDEZVOUS_PROTOCOL_H_
#define NATFWT_ENGINE_RENDEZVOUS_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::rendezvous {

inline constexpr size_t kMaxLineSize = 32 * 1024;
inline constexpr absl::string_view kProtocolVersion = "natfwt-rendezvous/1";
inline constexpr size_t kMaxTokenLength = 32;
inline constexpr size_t kMaxErrorText = 256;

// ERR codes. Their wire names are ErrorCodeName()'s.
enum class ErrorCode : uint8_t {
  kMalformed,      // "malformed": the line does not parse.
  kProtocol,       // "protocol": valid message at the wrong time.
  kNotRegistered,  // "not-registered": PUBLISH/SIGNAL before REGISTER.
  kForbidden,      // "forbidden": signature or identity check failed.
  kOutdated,       // "outdated": a record not newer than the current one.
  kUnknownPeer,    // "unknown-peer": SIGNAL to a node not connected.
  kRateLimited,    // "rate-limited": message dropped, slow down.
  kFull,           // "full": a server limit (clients, networks, nodes).
  kReplaced,       // "replaced": the node registered again elsewhere.
  kIdle,           // "idle": silent too long; closing.
  kOversized,      // "oversized": a line longer than kMaxLineSize; closing.
  kOther,          // Any other code (received only).
};
inline constexpr size_t kErrorCodeCount =
    static_cast<size_t>(ErrorCode::kOther) + 1;
absl::string_view ErrorCodeName(ErrorCode code);

enum class ClientVerb : uint8_t { kRegister, kPublish, kSignal, kPing, kBye };

struct ClientMessage {
  ClientVerb verb = ClientVerb::kPing;
  std::string envelope;  // REGISTER (the record), PUBLISH, SIGNAL; raw bytes.
  std::string auth;      // REGISTER: the auth envelope; raw bytes.
  std::string token;     // PING: may be empty.
};

enum class ServerVerb : uint8_t {
  kHello,
  kWelcome,
  kPeer,
  kGone,
  kSignal,
  kPong,
  kError,
};

struct ServerMessage {
  ServerVerb verb = ServerVerb::kPong;
  std::string challenge;                // HELLO; raw bytes (kChallengeSize).
  std::string node_id;                  // WELCOME, GONE: 64 hex digits.
  std::string envelope;                 // PEER, SIGNAL; raw bytes.
  std::string token;                    // PONG: may be empty.
  ErrorCode error = ErrorCode::kOther;  // ERR.
  std::string error_name;               // ERR: the code as received.
  std::string text;                     // ERR.
};

// Encoders return the line with its "\n". They do not validate: callers
// pass fields they built (envelopes from SignEnvelope, node IDs from
// FormatNodeId); text is sanitised (non-printable bytes become '?', cut to
// kMaxErrorText).
std::string EncodeClientMessage(const ClientMessage& message);
std::string EncodeServerMessage(const ServerMessage& message);
std::string ErrorLine(ErrorCode code, absl::string_view text);

// Parse one line without its "\n". Errors: kInvalidArgument naming the
// defect (unknown verb, wrong field count, bad base64url, bad node ID,
// field too long, non-printable byte).
absl::StatusOr<ClientMessage> ParseClientMessage(absl::string_view line);
absl::StatusOr<ServerMessage> ParseServerMessage(absl::string_view line);

// Splits a byte stream into lines of at most `max_line` bytes (newline
// included), in bounded memory: at most `max_line` buffered bytes beyond
// the complete lines of the last Append().
class LineFramer {
 public:
  explicit LineFramer(size_t max_line = kMaxLineSize) : max_line_(max_line) {}

  // Adds received bytes. Errors: kResourceExhausted when a line grows past
  // `max_line` before its newline; the stream cannot be resynchronised and
  // every later call fails the same way.
  absl::Status Append(absl::string_view bytes);

  // Removes and returns the next complete line, without its "\n".
  std::optional<std::string> Next();

  // Bytes held (complete lines not yet taken plus the partial line).
  size_t buffered() const { return buffer_.size() - consumed_; }
  void Clear();

 private:
  size_t max_line_;
  std::string buffer_;
  size_t consumed_ = 0;
  size_t partial_length_ = 0;  // Bytes since the last newline.
  bool broken_ = false;
};

}  // namespace natfwt::rendezvous

#endif  // NATFWT_ENGINE_RENDEZVOUS_PROTOCOL_H_
