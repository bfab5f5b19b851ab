// Copyright 2026 The natfwt Authors.

#include "facade/sddl/sddl.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "platform/base/status_macros.h"

namespace natfwt::cp {
namespace {

template <typename... Args>
absl::Status Invalid(const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat("SDDL: ", args...));
}

// One ';'-separated field of an ACE and where it starts in the input.
struct Field {
  absl::string_view text;
  size_t offset = 0;
};

std::string Quoted(absl::string_view token) {
  constexpr size_t kShown = 40;  // Long tokens are cut in messages.
  if (token.size() <= kShown) return absl::StrCat("\"", token, "\"");
  return absl::StrCat("\"", token.substr(0, kShown), "...\"");
}

// Access rights by SDDL name (Microsoft "Ace Strings"; values from winnt.h:
// GENERIC_* and FILE_ALL_ACCESS / FILE_GENERIC_*). Only "nonzero" matters.
struct NamedRight {
  absl::string_view name;
  uint32_t mask;
};
constexpr NamedRight kRights[] = {
    {"GA", 0x10000000}, {"GR", 0x80000000}, {"GW", 0x40000000},
    {"GX", 0x20000000}, {"FA", 0x001f01ff}, {"FR", 0x00120089},
    {"FW", 0x00120116}, {"FX", 0x001200a0},
};

// What one ACE's trustee maps to.
struct Trustee {
  enum class Kind { kEveryone, kUid, kGid } kind = Kind::kEveryone;
  uint32_t id = 0;
};

// A decimal uid/gid: digits only, at most 4294967294 ((uid_t)-1 is not an
// identity).
std::optional<uint32_t> ParseUnixId(absl::string_view digits) {
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)))
      return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value >= 0xffffffffULL) return std::nullopt;
  return static_cast<uint32_t>(value);
}

// "S-1-" followed by '-'-separated decimal numbers, or a two-letter alias.
bool IsSidSyntax(absl::string_view sid) {
  if (sid.size() == 2) {
    return absl::ascii_isupper(static_cast<unsigned char>(sid[0])) &&
           absl::ascii_isupper(static_cast<unsigned char>(sid[1]));
  }
  if (!absl::ConsumePrefix(&sid, "S-1-") || sid.empty()) return false;
  bool previous_dash = true;
  for (char c : sid) {
    const bool dash = c == '-';
    if (dash && previous_dash) return false;
    if (!dash && !absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
    previous_dash = dash;
  }
  return !previous_dash;
}

absl::Status CheckAceType(const Field& field) {
  if (field.text == "A") return absl::OkStatus();
  return Invalid("unsupported ACE type ", Quoted(field.text), " at offset ",
                 field.offset, " (only allow ACEs \"A\" are accepted)");
}

// Returns whether the ACE is inherit-only (IO).
absl::StatusOr<bool> ParseAceFlags(const Field& field) {
  bool inherit_only = false;
  for (size_t i = 0; i < field.text.size(); i += 2) {
    absl::string_view flag = field.text.substr(i, 2);
    if (flag == "IO") {
      inherit_only = true;
    } else if (flag != "CI" && flag != "OI" && flag != "NP" && flag != "ID") {
      return Invalid("unsupported ACE flag ", Quoted(flag), " at offset ",
                     field.offset + i, " (accepted: CI, OI, NP, IO, ID)");
    }
  }
  return inherit_only;
}

absl::StatusOr<uint32_t> ParseHexRights(const Field& field) {
  absl::string_view digits = field.text.substr(2);
  uint32_t mask = 0;
  bool ok = !digits.empty() && digits.size() <= 8;
  for (char c : digits) {
    ok = ok && absl::ascii_isxdigit(static_cast<unsigned char>(c));
    if (!ok) break;
    const int value =
        absl::ascii_isdigit(static_cast<unsigned char>(c))
            ? c - '0'
            : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    mask = (mask << 4) | static_cast<uint32_t>(value);
  }
  if (ok) return mask;
  return Invalid("malformed rights mask ", Quoted(field.text), " at offset ",
                 field.offset, " (expected 0x and 1 to 8 hex digits)");
}

absl::StatusOr<uint32_t> ParseRights(const Field& field) {
  if (field.text.empty()) {
    return Invalid("empty rights at offset ", field.offset);
  }
  if (absl::StartsWith(field.text, "0x") ||
      absl::StartsWith(field.text, "0X")) {
    return ParseHexRights(field);
  }
  uint32_t mask = 0;
  for (size_t i = 0; i < field.text.size(); i += 2) {
    absl::string_view right = field.text.substr(i, 2);
    auto known =
        std::find_if(std::begin(kRights), std::end(kRights),
                     [&](const NamedRight& r) { return r.name == right; });
    if (known == std::end(kRights)) {
      return Invalid("unsupported right ", Quoted(right), " at offset ",
                     field.offset + i,
                     " (accepted: GA GR GW GX FA FR FW FX or a 0x mask)");
    }
    mask |= known->mask;
  }
  return mask;
}

absl::StatusOr<Trustee> ParseUnixSid(const Field& field) {
  absl::string_view sid = field.text;
  const bool user = absl::ConsumePrefix(&sid, "S-1-22-1-");
  if (!user && !absl::ConsumePrefix(&sid, "S-1-22-2-")) {
    return Invalid("unsupported trustee ", Quoted(field.text), " at offset ",
                   field.offset,
                   " (accepted: WD, SY, BA, S-1-22-1-<uid>, S-1-22-2-<gid>)");
  }
  std::optional<uint32_t> id = ParseUnixId(sid);
  if (!id.has_value()) {
    return Invalid("malformed Unix ", user ? "uid" : "gid", " in trustee ",
                   Quoted(field.text), " at offset ", field.offset,
                   " (expected a decimal number below 4294967295)");
  }
  return Trustee{user ? Trustee::Kind::kUid : Trustee::Kind::kGid, *id};
}

absl::StatusOr<Trustee> ParseTrustee(const Field& field) {
  const absl::string_view t = field.text;
  if (t == "WD" || t == "S-1-1-0") return Trustee{Trustee::Kind::kEveryone, 0};
  // LocalSystem and the Administrators alias both stand for root here.
  if (t == "SY" || t == "S-1-5-18" || t == "BA" || t == "S-1-5-32-544") {
    return Trustee{Trustee::Kind::kUid, 0};
  }
  return ParseUnixSid(field);
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<SddlPolicy> Run();

 private:
  bool AtTag() const {
    return pos_ + 1 < text_.size() && text_[pos_ + 1] == ':';
  }
  absl::string_view TokenAt(size_t pos) const;
  absl::Status ParseComponent();
  absl::Status ParseSidComponent(char tag);
  absl::Status ParseDaclFlags();
  absl::Status ParseDacl();
  absl::Status ParseAce();
  absl::Status SplitAce(absl::string_view body, size_t offset,
                        std::vector<Field>& fields) const;
  absl::Status ApplyAce(const std::vector<Field>& fields);
  SddlPolicy Finish();

  absl::string_view text_;
  size_t pos_ = 0;
  bool seen_owner_ = false;
  bool seen_group_ = false;
  bool seen_dacl_ = false;
  SddlPolicy policy_;
};

absl::string_view Parser::TokenAt(size_t pos) const {
  absl::string_view rest = text_.substr(pos);
  size_t end = rest.find_first_of("();:");
  return rest.substr(0, end == 0 ? 1 : end);
}

absl::StatusOr<SddlPolicy> Parser::Run() {
  if (text_.empty()) return Invalid("empty descriptor (expected \"D:...\")");
  if (text_.size() > kMaxSddlLength) {
    return Invalid("descriptor of ", text_.size(), " bytes is longer than ",
                   kMaxSddlLength);
  }
  while (pos_ < text_.size()) NATFWT_RETURN_IF_ERROR(ParseComponent());
  if (!seen_dacl_) {
    return Invalid(
        "no DACL (\"D:\"): the descriptor must list who may use "
        "the interface (pass no SDDL at all for no restriction)");
  }
  return Finish();
}

absl::Status Parser::ParseComponent() {
  if (!AtTag()) {
    return Invalid("expected a component (O:, G: or D:) at offset ", pos_,
                   ", found ", Quoted(TokenAt(pos_)));
  }
  const char tag = text_[pos_];
  const size_t start = pos_;
  pos_ += 2;
  if (tag == 'O' || tag == 'G') return ParseSidComponent(tag);
  if (tag == 'D') {
    if (seen_dacl_) return Invalid("second DACL (\"D:\") at offset ", start);
    seen_dacl_ = true;
    return ParseDacl();
  }
  if (tag == 'S') {
    return Invalid("SACL (\"S:\") at offset ", start, " is not supported");
  }
  return Invalid("unknown component ", Quoted(text_.substr(start, 2)),
                 " at offset ", start, " (expected O:, G: or D:)");
}

// The owner or group SID runs until the next component's tag (the letter
// before the next ':') or the end; it is syntax-checked and ignored.
absl::Status Parser::ParseSidComponent(char tag) {
  bool& seen = tag == 'O' ? seen_owner_ : seen_group_;
  const char* what = tag == 'O' ? "owner" : "group";
  if (seen) return Invalid("second ", what, " at offset ", pos_ - 2);
  seen = true;
  size_t colon = text_.find(':', pos_);
  size_t end = colon == absl::string_view::npos ? text_.size() : colon - 1;
  if (end < pos_) end = pos_;
  absl::string_view sid = text_.substr(pos_, end - pos_);
  if (!IsSidSyntax(sid)) {
    return Invalid("malformed ", what, " SID ", Quoted(sid), " at offset ",
                   pos_, " (expected a two-letter alias or S-1-...)");
  }
  pos_ = end;
  return absl::OkStatus();
}

absl::Status Parser::ParseDaclFlags() {
  while (pos_ < text_.size() && text_[pos_] != '(' && !AtTag()) {
    absl::string_view rest = text_.substr(pos_);
    if (absl::StartsWith(rest, "NO_ACCESS_CONTROL")) {
      return Invalid("\"NO_ACCESS_CONTROL\" at offset ", pos_,
                     " is not supported (a NULL DACL; pass no SDDL at all "
                     "for no restriction)");
    }
    if (absl::StartsWith(rest, "AI") || absl::StartsWith(rest, "AR")) {
      pos_ += 2;
    } else if (absl::StartsWith(rest, "P")) {
      pos_ += 1;
    } else {
      return Invalid("unsupported DACL flag ", Quoted(TokenAt(pos_)),
                     " at offset ", pos_, " (accepted: P, AI, AR)");
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseDacl() {
  NATFWT_RETURN_IF_ERROR(ParseDaclFlags());
  while (pos_ < text_.size() && text_[pos_] == '(') {
    NATFWT_RETURN_IF_ERROR(ParseAce());
  }
  if (pos_ < text_.size() && !AtTag()) {
    return Invalid("unexpected ", Quoted(TokenAt(pos_)), " at offset ", pos_,
                   " after the DACL's ACEs");
  }
  return absl::OkStatus();
}

absl::Status Parser::SplitAce(absl::string_view body, size_t offset,
                              std::vector<Field>& fields) const {
  // Fields: type;flags;rights;object_guid;inherit_object_guid;trustee and,
  // for resource-attribute ACEs only, a seventh.
  constexpr size_t kFields = 6;
  size_t start = 0;
  while (fields.size() <= kFields) {
    size_t semicolon = body.find(';', start);
    fields.push_back({body.substr(start, semicolon - start), offset + start});
    if (semicolon == absl::string_view::npos) break;
    start = semicolon + 1;
  }
  if (fields.size() < kFields) {
    return Invalid("ACE at offset ", offset - 1, " has ", fields.size(),
                   " fields; expected 6 "
                   "(type;flags;rights;object_guid;inherit_guid;trustee)");
  }
  if (fields.size() > kFields) {
    return Invalid("ACE at offset ", offset - 1,
                   " has more than 6 fields "
                   "(resource attributes are not supported)");
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseAce() {
  const size_t open = pos_;
  const size_t close = text_.find(')', open);
  if (close == absl::string_view::npos) {
    return Invalid("ACE at offset ", open, " has no closing ')'");
  }
  absl::string_view body = text_.substr(open + 1, close - open - 1);
  if (size_t nested = body.find('('); nested != absl::string_view::npos) {
    return Invalid("unexpected '(' at offset ", open + 1 + nested,
                   " inside the ACE at offset ", open);
  }
  std::vector<Field> fields;
  NATFWT_RETURN_IF_ERROR(SplitAce(body, open + 1, fields));
  NATFWT_RETURN_IF_ERROR(ApplyAce(fields));
  pos_ = close + 1;
  return absl::OkStatus();
}

absl::Status Parser::ApplyAce(const std::vector<Field>& fields) {
  NATFWT_RETURN_IF_ERROR(CheckAceType(fields[0]));
  NATFWT_ASSIGN_OR_RETURN(bool inherit_only, ParseAceFlags(fields[1]));
  NATFWT_ASSIGN_OR_RETURN(uint32_t rights, ParseRights(fields[2]));
  for (const Field& guid : {fields[3], fields[4]}) {
    if (!guid.text.empty()) {
      return Invalid("object GUID ", Quoted(guid.text), " at offset ",
                     guid.offset, " is not supported (must be empty)");
    }
  }
  NATFWT_ASSIGN_OR_RETURN(Trustee trustee, ParseTrustee(fields[5]));
  // An inherit-only ACE does not apply to the object itself, and a zero mask
  // grants nothing: both are valid and have no effect.
  if (inherit_only || rights == 0) return absl::OkStatus();
  switch (trustee.kind) {
    case Trustee::Kind::kEveryone:
      policy_.everyone = true;
      break;
    case Trustee::Kind::kUid:
      policy_.uids.push_back(trustee.id);
      break;
    case Trustee::Kind::kGid:
      policy_.gids.push_back(trustee.id);
      break;
  }
  return absl::OkStatus();
}

void SortUnique(std::vector<uint32_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

SddlPolicy Parser::Finish() {
  SortUnique(policy_.uids);
  SortUnique(policy_.gids);
  return std::move(policy_);
}

}  // namespace

absl::StatusOr<SddlPolicy> ParseSddl(absl::string_view sddl) {
  return Parser(sddl).Run();
}

absl::StatusOr<SddlPolicy> ParseSddl(const wchar_t* sddl) {
  if (sddl == nullptr) return Invalid("NULL descriptor");
  std::string narrow;
  for (size_t i = 0; sddl[i] != L'\0'; ++i) {
    if (i == kMaxSddlLength) {
      return Invalid("descriptor is longer than ", kMaxSddlLength,
                     " characters");
    }
    const auto code = static_cast<uint32_t>(sddl[i]);
    if (code < 0x20 || code > 0x7e) {
      return Invalid(absl::StrFormat(
          "character U+%04X at offset %d is not printable ASCII", code, i));
    }
    narrow.push_back(static_cast<char>(code));
  }
  return ParseSddl(narrow);
}

}  // namespace natfwt::cp
