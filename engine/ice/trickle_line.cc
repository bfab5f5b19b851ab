// Copyright 2026 The natfwt Authors.

#include "engine/ice/trickle_line.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

constexpr absl::string_view kCandidatePrefix = "candidate:";
constexpr absl::string_view kEndOfCandidates = "end-of-candidates";

absl::Status Invalid(absl::string_view what, absl::string_view token) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": \"", token, "\""));
}

// Reads the space-separated tokens of one line in order.
class Tokens {
 public:
  explicit Tokens(std::vector<absl::string_view> tokens)
      : tokens_(std::move(tokens)) {}

  bool done() const { return next_ == tokens_.size(); }
  absl::StatusOr<absl::string_view> Next(absl::string_view what) {
    if (done())
      return absl::InvalidArgumentError(absl::StrCat("missing ", what));
    return tokens_[next_++];
  }
  // Consumes the next token when it equals `keyword` (case-insensitive).
  bool Accept(absl::string_view keyword) {
    if (done() || !absl::EqualsIgnoreCase(tokens_[next_], keyword)) {
      return false;
    }
    ++next_;
    return true;
  }
  absl::Status Expect(absl::string_view keyword) {
    NATFWT_ASSIGN_OR_RETURN(absl::string_view token, Next(keyword));
    if (!absl::EqualsIgnoreCase(token, keyword)) {
      return Invalid(absl::StrCat("expected \"", keyword, "\""), token);
    }
    return absl::OkStatus();
  }

 private:
  std::vector<absl::string_view> tokens_;
  size_t next_ = 0;
};

absl::StatusOr<uint32_t> ParseNumber(absl::string_view token, uint32_t max,
                                     absl::string_view what) {
  if (token.empty() || token.size() > 10 ||
      (token.size() > 1 && token.front() == '0')) {
    return Invalid(what, token);
  }
  uint64_t value = 0;
  for (char c : token) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return Invalid(what, token);
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return Invalid(what, token);
  return static_cast<uint32_t>(value);
}

absl::StatusOr<TransportAddress> ParseAddressPort(Tokens& tokens) {
  NATFWT_ASSIGN_OR_RETURN(absl::string_view host, tokens.Next("address"));
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(host);
  if (!address.ok()) return Invalid("not an IP address", host);
  NATFWT_ASSIGN_OR_RETURN(absl::string_view port_text, tokens.Next("port"));
  NATFWT_ASSIGN_OR_RETURN(uint32_t port,
                          ParseNumber(port_text, 65535, "bad port"));
  return TransportAddress{*address, static_cast<uint16_t>(port)};
}

absl::StatusOr<CandidateTransport> ParseTcpType(absl::string_view token) {
  if (absl::EqualsIgnoreCase(token, "active")) {
    return CandidateTransport::kTcpActive;
  }
  if (absl::EqualsIgnoreCase(token, "passive")) {
    return CandidateTransport::kTcpPassive;
  }
  if (absl::EqualsIgnoreCase(token, "so")) {
    return CandidateTransport::kTcpSimultaneousOpen;
  }
  return Invalid("tcptype must be active, passive or so", token);
}

// foundation SP component SP transport SP priority SP address SP port.
absl::Status ParseCandidateHead(absl::string_view first, Tokens& tokens,
                                Candidate& candidate, bool* tcp) {
  candidate.foundation = std::string(first.substr(kCandidatePrefix.size()));
  NATFWT_ASSIGN_OR_RETURN(absl::string_view component,
                          tokens.Next("component"));
  NATFWT_ASSIGN_OR_RETURN(
      candidate.component,
      ParseNumber(component, kMaxComponent, "bad component"));
  NATFWT_ASSIGN_OR_RETURN(absl::string_view transport,
                          tokens.Next("transport"));
  *tcp = absl::EqualsIgnoreCase(transport, "tcp");
  if (!*tcp && !absl::EqualsIgnoreCase(transport, "udp")) {
    return Invalid("transport must be udp or tcp", transport);
  }
  NATFWT_ASSIGN_OR_RETURN(absl::string_view priority, tokens.Next("priority"));
  NATFWT_ASSIGN_OR_RETURN(candidate.priority,
                          ParseNumber(priority, kMaxPriority, "bad priority"));
  NATFWT_ASSIGN_OR_RETURN(candidate.address, ParseAddressPort(tokens));
  return absl::OkStatus();
}

// "typ" cand-type [raddr/rport] [tcptype].
absl::Status ParseCandidateTail(Tokens& tokens, bool tcp,
                                Candidate& candidate) {
  NATFWT_RETURN_IF_ERROR(tokens.Expect("typ"));
  NATFWT_ASSIGN_OR_RETURN(absl::string_view type,
                          tokens.Next("candidate type"));
  NATFWT_ASSIGN_OR_RETURN(candidate.type,
                          ParseCandidateType(absl::AsciiStrToLower(type)));
  if (tokens.Accept("raddr")) {
    NATFWT_ASSIGN_OR_RETURN(absl::string_view host, tokens.Next("raddr"));
    absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(host);
    if (!address.ok()) return Invalid("raddr is not an IP address", host);
    NATFWT_RETURN_IF_ERROR(tokens.Expect("rport"));
    NATFWT_ASSIGN_OR_RETURN(absl::string_view port, tokens.Next("rport"));
    NATFWT_ASSIGN_OR_RETURN(uint32_t rport,
                            ParseNumber(port, 65535, "bad rport"));
    candidate.related =
        TransportAddress{*address, static_cast<uint16_t>(rport)};
  }
  if (tokens.Accept("tcptype")) {
    if (!tcp) return absl::InvalidArgumentError("tcptype on a udp candidate");
    NATFWT_ASSIGN_OR_RETURN(absl::string_view value, tokens.Next("tcptype"));
    NATFWT_ASSIGN_OR_RETURN(candidate.transport, ParseTcpType(value));
  } else if (tcp) {
    return absl::InvalidArgumentError("tcp candidate without tcptype");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseUfragTail(Tokens& tokens) {
  NATFWT_RETURN_IF_ERROR(tokens.Expect("ufrag"));
  NATFWT_ASSIGN_OR_RETURN(absl::string_view ufrag, tokens.Next("ufrag"));
  NATFWT_RETURN_IF_ERROR(ValidateUfrag(ufrag));
  if (!tokens.done()) {
    NATFWT_ASSIGN_OR_RETURN(absl::string_view extra, tokens.Next("token"));
    return Invalid("unexpected token after ufrag", extra);
  }
  return std::string(ufrag);
}

absl::StatusOr<TrickleMessage> ParseCandidateLine(absl::string_view first,
                                                  Tokens& tokens) {
  TrickleCandidate result;
  bool tcp = false;
  NATFWT_RETURN_IF_ERROR(
      ParseCandidateHead(first, tokens, result.candidate, &tcp));
  NATFWT_RETURN_IF_ERROR(ParseCandidateTail(tokens, tcp, result.candidate));
  NATFWT_ASSIGN_OR_RETURN(result.ufrag, ParseUfragTail(tokens));
  NATFWT_RETURN_IF_ERROR(ValidateCandidate(result.candidate));
  return result;
}

std::string FormatCandidate(const Candidate& c) {
  const bool tcp = IsTcp(c.transport);
  std::string line = absl::StrCat(
      kCandidatePrefix, c.foundation, " ", c.component, tcp ? " tcp " : " udp ",
      c.priority, " ", c.address.address.ToString(), " ", c.address.port,
      " typ ", CandidateTypeName(c.type));
  if (c.related.has_value()) {
    absl::StrAppend(&line, " raddr ", c.related->address.ToString(), " rport ",
                    c.related->port);
  }
  if (tcp) {
    const absl::string_view name = CandidateTransportName(c.transport);
    absl::StrAppend(&line, " tcptype ", name.substr(name.find('-') + 1));
  }
  return line;
}

}  // namespace

absl::StatusOr<std::string> FormatTrickleLine(const TrickleMessage& message) {
  if (const auto* eoc = std::get_if<EndOfCandidates>(&message)) {
    NATFWT_RETURN_IF_ERROR(ValidateUfrag(eoc->ufrag));
    return absl::StrCat(kEndOfCandidates, " ufrag ", eoc->ufrag);
  }
  const auto& trickle = std::get<TrickleCandidate>(message);
  NATFWT_RETURN_IF_ERROR(ValidateUfrag(trickle.ufrag));
  NATFWT_RETURN_IF_ERROR(ValidateCandidate(trickle.candidate));
  return absl::StrCat(FormatCandidate(trickle.candidate), " ufrag ",
                      trickle.ufrag);
}

absl::StatusOr<TrickleMessage> ParseTrickleLine(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  if (line.empty()) return absl::InvalidArgumentError("empty trickle line");
  if (line.size() > kMaxTrickleLineLength) {
    return absl::InvalidArgumentError("trickle line too long");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  for (absl::string_view part : parts) {
    if (part.empty())
      return Invalid("tokens must be separated by one space", line);
  }
  Tokens tokens(std::move(parts));
  NATFWT_ASSIGN_OR_RETURN(absl::string_view first, tokens.Next("line kind"));
  if (absl::EqualsIgnoreCase(first, kEndOfCandidates)) {
    NATFWT_ASSIGN_OR_RETURN(std::string ufrag, ParseUfragTail(tokens));
    return EndOfCandidates{std::move(ufrag)};
  }
  if (first.size() < kCandidatePrefix.size() ||
      !absl::EqualsIgnoreCase(first.substr(0, kCandidatePrefix.size()),
                              kCandidatePrefix)) {
    return Invalid("line must start with candidate: or end-of-candidates",
                   first);
  }
  return ParseCandidateLine(first, tokens);
}

}  // namespace natfwt::ice
