// Copyright 2026 The natfwt Authors.

#include "engine/probe/stun_codec.h"

#include <stun/stunmessage.h>
#include <stun/usages/turn.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/probe/socket_address.h"

namespace natfwt::probe {
namespace {

// RFC 5780 section 7.2: CHANGE-REQUEST flag bits (spec).
constexpr uint32_t kChangeIp = 0x04;
constexpr uint32_t kChangePort = 0x02;
// RFC 5780 section 7: comprehension-optional attributes libnice has no name
// for (spec).
constexpr int kAttributeResponseOrigin = 0x802B;
constexpr int kAttributeOtherAddress = 0x802C;
// RFC 8489 section 14.8 / 9.2: errors that carry a new REALM/NONCE (spec).
constexpr int kUnauthorized = 401;
constexpr int kStaleNonce = 438;
// Room for any request built here: header, CHANGE-REQUEST or TURN
// attributes, a 513-byte username, REALM/NONCE copied from a challenge
// (763 bytes each at most), MESSAGE-INTEGRITY, FINGERPRINT (implementation
// choice, generous).
constexpr size_t kRequestCapacity = 2048;
// Longest reason phrase kept (RFC 8489 section 14.8 allows 763 bytes).
constexpr size_t kMaxReasonBytes = 128;

StunAttribute Attribute(int type) { return static_cast<StunAttribute>(type); }

std::optional<net::UdpEndpoint> FindAddress(const StunMessage& message,
                                            int type, bool xored) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  const StunMessageReturn found =
      xored ? stun_message_find_xor_addr(&message, Attribute(type), &storage,
                                         &length)
            : stun_message_find_addr(&message, Attribute(type), &storage,
                                     &length);
  if (found != STUN_MESSAGE_RETURN_SUCCESS) return std::nullopt;
  return EndpointFromSockaddr(reinterpret_cast<const sockaddr*>(&storage));
}

// The first address attribute of `types` present in `message`.
std::optional<net::UdpEndpoint> FindFirst(const StunMessage& message,
                                          std::initializer_list<int> types,
                                          bool first_xored) {
  bool xored = first_xored;
  for (int type : types) {
    std::optional<net::UdpEndpoint> found = FindAddress(message, type, xored);
    if (found) return found;
    xored = false;
  }
  return std::nullopt;
}

// The reason phrase of ERROR-CODE, printable ASCII only (it reaches
// terminals and JSON).
std::string ErrorReason(const StunMessage& message) {
  uint16_t length = 0;
  const auto* value = static_cast<const uint8_t*>(
      stun_message_find(&message, STUN_ATTRIBUTE_ERROR_CODE, &length));
  if (value == nullptr || length <= 4) return "";
  std::string reason;
  const size_t end = std::min<size_t>(length, 4 + kMaxReasonBytes);
  for (size_t i = 4; i < end; ++i) {
    const char c = static_cast<char>(value[i]);
    reason.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return reason;
}

// libnice's StunTransactionId is 16 bytes: the magic cookie (RFC 8489
// section 5) and the 96-bit transaction ID proper, which TransactionId
// holds.
constexpr uint8_t kMagicCookie[4] = {0x21, 0x12, 0xA4, 0x42};
static_assert(sizeof(StunTransactionId) ==
              sizeof(kMagicCookie) + sizeof(TransactionId));

TransactionId IdOf(const StunMessage& message) {
  StunTransactionId raw;
  stun_message_id(&message, raw);
  TransactionId id;
  std::memcpy(id.data(), raw + sizeof(kMagicCookie), id.size());
  return id;
}

// libnice's verdict on a datagram, as a status.
absl::Status ValidationStatus(StunValidationStatus validation) {
  switch (validation) {
    case STUN_VALIDATION_SUCCESS:
      return absl::OkStatus();
    case STUN_VALIDATION_UNMATCHED_RESPONSE:
      return absl::NotFoundError("a STUN answer to no open transaction");
    case STUN_VALIDATION_UNKNOWN_ATTRIBUTE:
      return absl::InvalidArgumentError(
          "STUN answer with unknown comprehension-required attributes");
    case STUN_VALIDATION_UNAUTHORIZED:
    case STUN_VALIDATION_UNAUTHORIZED_BAD_REQUEST:
      return absl::InvalidArgumentError(
          "STUN answer with a wrong or missing MESSAGE-INTEGRITY");
    case STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE:
      return absl::FailedPreconditionError("a STUN request, not an answer");
    default:
      return absl::InvalidArgumentError(
          "not a well-formed STUN message (framing, cookie or FINGERPRINT)");
  }
}

// Whether a framed STUN message carries FINGERPRINT.
bool HasFingerprint(absl::Span<const uint8_t> datagram) {
  if (stun_message_validate_buffer_length(datagram.data(), datagram.size(),
                                          true) <= 0) {
    return false;
  }
  StunMessage message{};
  message.buffer = const_cast<uint8_t*>(datagram.data());
  message.buffer_len = datagram.size();
  return stun_message_has_attribute(&message, STUN_ATTRIBUTE_FINGERPRINT);
}

// Validates `datagram` with `agent` into `message` and checks it answers a
// request of `method`. FINGERPRINT is checked when present: coturn 4.6
// leaves it out of the answers it sends from its alternate address
// (CHANGE-REQUEST), so it cannot be required. libnice checks it only when
// the agent's usage flags ask for it, and requires it then; the flag is set
// for this one call accordingly.
absl::Status ValidateAnswer(StunAgent& agent, StunMessage& message,
                            absl::Span<const uint8_t> datagram,
                            StunMethod method) {
  if (datagram.empty()) return absl::InvalidArgumentError("empty datagram");
  const StunAgentUsageFlags flags = agent.usage_flags;
  agent.usage_flags = static_cast<StunAgentUsageFlags>(
      HasFingerprint(datagram) ? flags | STUN_AGENT_USAGE_USE_FINGERPRINT
                               : flags & ~STUN_AGENT_USAGE_USE_FINGERPRINT);
  const absl::Status status = ValidationStatus(stun_agent_validate(
      &agent, &message, datagram.data(), datagram.size(), nullptr, nullptr));
  agent.usage_flags = flags;
  if (!status.ok()) return status;
  const StunClass type = stun_message_get_class(&message);
  if (type != STUN_RESPONSE && type != STUN_ERROR) {
    return absl::FailedPreconditionError(
        "a STUN request or indication, not an answer");
  }
  if (stun_message_get_method(&message) != method) {
    return absl::FailedPreconditionError("a STUN answer of another method");
  }
  return absl::OkStatus();
}

absl::StatusOr<StunRequest> Finish(const StunMessage& message,
                                   std::vector<uint8_t> buffer, size_t length) {
  if (length == 0) {
    return absl::ResourceExhaustedError(
        "libnice could not build the STUN request (too many open "
        "transactions, or attributes too long)");
  }
  buffer.resize(length);
  return StunRequest{std::move(buffer), IdOf(message)};
}

void ForgetIn(StunAgent& agent, const TransactionId& id) {
  StunTransactionId raw;
  std::memcpy(raw, kMagicCookie, sizeof(kMagicCookie));
  std::memcpy(raw + sizeof(kMagicCookie), id.data(), id.size());
  stun_agent_forget_transaction(&agent, raw);
}

}  // namespace

// ---- StunClient ----

StunClient::StunClient(StunClientOptions options) {
  uint32_t flags = 0;
  if (options.fingerprint) flags |= STUN_AGENT_USAGE_USE_FINGERPRINT;
  stun_agent_init(&agent_, STUN_ALL_KNOWN_ATTRIBUTES,
                  STUN_COMPATIBILITY_RFC5389,
                  static_cast<StunAgentUsageFlags>(flags));
}

absl::StatusOr<StunRequest> StunClient::BindingRequest(ChangeRequest change) {
  std::vector<uint8_t> buffer(kRequestCapacity);
  StunMessage message;
  if (!stun_agent_init_request(&agent_, &message, buffer.data(), buffer.size(),
                               STUN_BINDING)) {
    return absl::InternalError("libnice refused a Binding request");
  }
  const uint32_t flags = (change.change_ip ? kChangeIp : 0) |
                         (change.change_port ? kChangePort : 0);
  if (flags != 0 &&
      stun_message_append32(&message, STUN_ATTRIBUTE_CHANGE_REQUEST, flags) !=
          STUN_MESSAGE_RETURN_SUCCESS) {
    return absl::InternalError("libnice refused CHANGE-REQUEST");
  }
  const size_t length =
      stun_agent_finish_message(&agent_, &message, nullptr, 0);
  return Finish(message, std::move(buffer), length);
}

absl::StatusOr<BindingResponse> StunClient::ParseBindingResponse(
    absl::Span<const uint8_t> datagram) {
  StunMessage message;
  if (absl::Status s = ValidateAnswer(agent_, message, datagram, STUN_BINDING);
      !s.ok()) {
    return s;
  }
  BindingResponse response;
  response.id = IdOf(message);
  if (stun_message_get_class(&message) == STUN_ERROR) {
    int code = 0;
    stun_message_find_error(&message, &code);
    response.error_code = code;
    response.error_reason = ErrorReason(message);
    return response;
  }
  response.mapped = FindFirst(
      message,
      {STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, STUN_ATTRIBUTE_MAPPED_ADDRESS}, true);
  if (!response.mapped) {
    return absl::InvalidArgumentError(
        "Binding response without a (XOR-)MAPPED-ADDRESS");
  }
  response.other_address = FindFirst(
      message, {kAttributeOtherAddress, STUN_ATTRIBUTE_CHANGED_ADDRESS}, false);
  response.response_origin = FindFirst(
      message, {kAttributeResponseOrigin, STUN_ATTRIBUTE_SOURCE_ADDRESS},
      false);
  return response;
}

void StunClient::Forget(const TransactionId& id) { ForgetIn(agent_, id); }

bool IsBindingRequest(absl::Span<const uint8_t> datagram,
                      const TransactionId& id) {
  if (datagram.empty() || stun_message_validate_buffer_length(
                              datagram.data(), datagram.size(), true) !=
                              static_cast<int>(datagram.size())) {
    return false;
  }
  StunMessage message{};
  message.buffer = const_cast<uint8_t*>(datagram.data());
  message.buffer_len = datagram.size();
  return stun_message_get_class(&message) == STUN_REQUEST &&
         stun_message_get_method(&message) == STUN_BINDING &&
         IdOf(message) == id;
}

// ---- TurnClient ----

TurnClient::TurnClient(std::string username, std::string password)
    : username_(std::move(username)), password_(std::move(password)) {
  stun_agent_init(
      &agent_, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
      static_cast<StunAgentUsageFlags>(STUN_AGENT_USAGE_LONG_TERM_CREDENTIALS |
                                       STUN_AGENT_USAGE_USE_FINGERPRINT));
}

StunMessage TurnClient::Challenge() {
  StunMessage previous{};
  previous.agent = &agent_;
  previous.buffer = challenge_.data();
  previous.buffer_len = challenge_.size();
  return previous;
}

absl::StatusOr<StunRequest> TurnClient::AllocateRequest() {
  std::vector<uint8_t> buffer(kRequestCapacity);
  StunMessage previous = Challenge();
  StunMessage message;
  const size_t length = stun_usage_turn_create(
      &agent_, &message, buffer.data(), buffer.size(),
      challenge_.empty() ? nullptr : &previous,
      STUN_USAGE_TURN_REQUEST_PORT_NORMAL, -1, -1, UsernameBytes(),
      username_.size(), PasswordBytes(), password_.size(),
      STUN_USAGE_TURN_COMPATIBILITY_RFC5766);
  return Finish(message, std::move(buffer), length);
}

absl::StatusOr<StunRequest> TurnClient::ReleaseRequest() {
  if (challenge_.empty()) {
    return absl::FailedPreconditionError(
        "no REALM/NONCE from the server yet: nothing was allocated");
  }
  std::vector<uint8_t> buffer(kRequestCapacity);
  StunMessage previous = Challenge();
  StunMessage message;
  const size_t length = stun_usage_turn_create_refresh(
      &agent_, &message, buffer.data(), buffer.size(), &previous, 0,
      UsernameBytes(), username_.size(), PasswordBytes(), password_.size(),
      STUN_USAGE_TURN_COMPATIBILITY_RFC5766);
  return Finish(message, std::move(buffer), length);
}

absl::StatusOr<TurnResponse> TurnClient::ParseAllocateResponse(
    absl::Span<const uint8_t> datagram) {
  return Parse(datagram, true);
}

absl::StatusOr<TurnResponse> TurnClient::ParseRefreshResponse(
    absl::Span<const uint8_t> datagram) {
  return Parse(datagram, false);
}

absl::StatusOr<TurnResponse> TurnClient::Parse(
    absl::Span<const uint8_t> datagram, bool allocate) {
  StunMessage message;
  if (absl::Status s = ValidateAnswer(agent_, message, datagram,
                                      allocate ? STUN_ALLOCATE : STUN_REFRESH);
      !s.ok()) {
    return s;
  }
  TurnResponse response;
  if (stun_message_get_class(&message) == STUN_ERROR) {
    stun_message_find_error(&message, &response.error_code);
    response.error_reason = ErrorReason(message);
    const bool renewable = response.error_code == kUnauthorized ||
                           response.error_code == kStaleNonce;
    if (renewable &&
        stun_message_has_attribute(&message, STUN_ATTRIBUTE_REALM) &&
        stun_message_has_attribute(&message, STUN_ATTRIBUTE_NONCE)) {
      response.kind = TurnResponse::Kind::kChallenge;
      challenge_.assign(datagram.begin(), datagram.end());
    }
    return response;
  }
  if (!allocate) {
    stun_usage_turn_refresh_process(&message, &response.lifetime_seconds,
                                    STUN_USAGE_TURN_COMPATIBILITY_RFC5766);
    response.kind = TurnResponse::Kind::kSuccess;
    return response;
  }
  sockaddr_storage relayed{}, mapped{}, alternate{};
  socklen_t relayed_length = sizeof(relayed), mapped_length = sizeof(mapped),
            alternate_length = sizeof(alternate);
  uint32_t bandwidth = 0;
  const StunUsageTurnReturn processed = stun_usage_turn_process(
      &message, &relayed, &relayed_length, &mapped, &mapped_length, &alternate,
      &alternate_length, &bandwidth, &response.lifetime_seconds,
      STUN_USAGE_TURN_COMPATIBILITY_RFC5766);
  if (processed == STUN_USAGE_TURN_RETURN_MAPPED_SUCCESS) {
    response.mapped =
        EndpointFromSockaddr(reinterpret_cast<const sockaddr*>(&mapped));
  }
  if (processed == STUN_USAGE_TURN_RETURN_RELAY_SUCCESS ||
      processed == STUN_USAGE_TURN_RETURN_MAPPED_SUCCESS) {
    response.relayed =
        EndpointFromSockaddr(reinterpret_cast<const sockaddr*>(&relayed));
  }
  if (!response.relayed) {
    return absl::InvalidArgumentError(
        "Allocate success without a usable XOR-RELAYED-ADDRESS");
  }
  response.kind = TurnResponse::Kind::kSuccess;
  return response;
}

void TurnClient::Forget(const TransactionId& id) { ForgetIn(agent_, id); }

absl::StatusOr<size_t> StunMessageSize(absl::Span<const uint8_t> header) {
  // RFC 8489 section 5: the two top bits are zero and the length (bytes
  // 2-3, after the 20-byte header) is a multiple of 4.
  if (header.size() < 20 || (header[0] & 0xC0) != 0) {
    return absl::InvalidArgumentError("not a STUN message header");
  }
  const size_t length = (size_t{header[2]} << 8) | header[3];
  if (length % 4 != 0) {
    return absl::InvalidArgumentError("STUN length not a multiple of 4");
  }
  return 20 + length;
}

}  // namespace natfwt::probe
