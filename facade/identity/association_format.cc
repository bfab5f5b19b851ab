// Copyright 2026 The natfwt Authors.

#include "facade/identity/association_format.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "facade/identity/address_plan.h"
#include "facade/identity/interface_name.h"
#include "facade/identity/luid.h"
#include "facade/identity/provider_identity.h"
#include "platform/base/status_macros.h"

namespace natfwt::cp {
namespace {

constexpr absl::string_view kComment =
    "# natfwt interface associations (spec 6.5). Written by natfwt; edit "
    "only while no natfwt process runs.";
constexpr absl::string_view kHeaderKeyword = "natfwt-associations";
constexpr absl::string_view kNextIndexKeyword = "next-index";
constexpr absl::string_view kRecordKeyword = "record";
constexpr absl::string_view kEndKeyword = "end";
constexpr absl::string_view kNoValue = "-";  // No IPv4 address / OS LUID.

// Tokens of a record line: "record" + 8 fields, + the OS LUID from version 2.
constexpr size_t RecordTokens(int version) { return version >= 2 ? 10 : 9; }
constexpr char kHexDigits[] = "0123456789ABCDEF";

bool NeedsEscape(unsigned char c) {
  return c == '%' || c == ' ' || c < 0x20 || c == 0x7F;
}

int UpperHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unsigned decimal without sign, spaces or leading zeros, at most `max`.
absl::StatusOr<uint64_t> ParseDecimal(absl::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) {
    return absl::InvalidArgumentError(absl::StrCat("bad number '", text, "'"));
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat("bad number '", text, "'"));
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("number ", value, " is above ", max));
  }
  return value;
}

std::string FormatLuid(uint64_t luid) {
  return absl::StrFormat("0x%016x", luid);
}

int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<uint64_t> ParseLuid(absl::string_view text) {
  bool ok = text.size() == 18 && text.substr(0, 2) == "0x";
  uint64_t value = 0;
  for (size_t i = 2; ok && i < text.size(); ++i) {
    const int digit = LowerHexValue(text[i]);
    ok = digit >= 0;
    value = (value << 4) | static_cast<uint64_t>(digit & 0xF);
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("LUID '", text, "' is not 0x + 16 lowercase hex digits"));
  }
  return value;
}

absl::StatusOr<net::IpAddress> ParseCanonicalAddress(absl::string_view text) {
  absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
  if (!address.ok() || address->ToString() != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an address in canonical form"));
  }
  return address;
}

absl::StatusOr<net::IpPrefix> ParseCanonicalPrefix(absl::string_view text) {
  absl::StatusOr<net::IpPrefix> prefix = net::IpPrefix::Parse(text);
  if (!prefix.ok() || prefix->ToString() != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a prefix in canonical form"));
  }
  return prefix;
}

std::string FormatTimeField(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTimeField(absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error) ||
      time == absl::InfiniteFuture() || time == absl::InfinitePast() ||
      FormatTimeField(time) != text) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a UTC RFC 3339 time in canonical form"));
  }
  return time;
}

absl::Status FieldError(absl::string_view field, const absl::Status& status) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": ", status.message()));
}

// Parses `parsed` into `*out`, or names `field` in the error.
template <typename T, typename Out>
absl::Status TakeField(absl::StatusOr<T> parsed, absl::string_view field,
                       Out* out) {
  if (!parsed.ok()) return FieldError(field, parsed.status());
  *out = *std::move(parsed);
  return absl::OkStatus();
}

// An optional field: "-" leaves `*out` unset.
template <typename T, typename Parse>
absl::Status TakeOptionalField(absl::string_view token, Parse parse,
                               absl::string_view field, std::optional<T>* out) {
  if (token == kNoValue) return absl::OkStatus();
  return TakeField(parse(token), field, out);
}

// Parses the fields after "record" of a line in format `version` (the caller
// checked the token count; no cross-record checks).
absl::StatusOr<AssociationRecord> ParseRecordFields(
    const std::vector<absl::string_view>& tokens, int version) {
  AssociationRecord record;
  size_t next = 1;
  auto token = [&] { return tokens[next++]; };
  NATFWT_RETURN_IF_ERROR(TakeField(UnescapeAssociationField(token()),
                                   "provider identity",
                                   &record.provider_identity));
  NATFWT_RETURN_IF_ERROR(TakeField(ParseLuid(token()), "LUID", &record.luid));
  if (version >= 2) {
    NATFWT_RETURN_IF_ERROR(
        TakeOptionalField(token(), ParseLuid, "OS LUID", &record.os_luid));
  }
  NATFWT_RETURN_IF_ERROR(TakeField(UnescapeAssociationField(token()),
                                   "friendly name", &record.friendly_name));
  NATFWT_RETURN_IF_ERROR(TakeField(UnescapeAssociationField(token()),
                                   "kernel name", &record.kernel_name));
  NATFWT_RETURN_IF_ERROR(
      TakeField(ParseCanonicalPrefix(token()), "prefix", &record.ula_prefix));
  NATFWT_RETURN_IF_ERROR(TakeField(ParseCanonicalAddress(token()),
                                   "IPv6 address", &record.ipv6_address));
  NATFWT_RETURN_IF_ERROR(TakeOptionalField(
      token(), ParseCanonicalAddress, "IPv4 address", &record.ipv4_address));
  NATFWT_RETURN_IF_ERROR(
      TakeField(ParseTimeField(token()), "last used", &record.last_used));
  NATFWT_RETURN_IF_ERROR(ValidateAssociationRecord(record));
  return record;
}

uint64_t InterfaceIdOf(const net::IpAddress& address) {
  uint64_t iid = 0;
  for (size_t i = 8; i < 16; ++i) iid = (iid << 8) | address.bytes()[i];
  return iid;
}

absl::Status ValidateLuid(uint64_t luid) {
  if (NetLuidIfType(luid) != kIfTypeTunnel || NetLuidReserved(luid) != 0 ||
      NetLuidIndex(luid) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("LUID ", FormatLuid(luid), " is not IfType ",
                     kIfTypeTunnel, " with a non-zero index and Reserved 0"));
  }
  return absl::OkStatus();
}

absl::Status ValidateOsLuid(const std::optional<uint64_t>& os_luid) {
  if (os_luid.has_value() && *os_luid == 0) {
    return absl::InvalidArgumentError(
        "OS LUID is 0 (a record without one has none)");
  }
  return absl::OkStatus();
}

absl::Status ValidateAddresses(const AssociationRecord& record) {
  const net::IpPrefix& prefix = record.ula_prefix;
  if (!prefix.address.is_v6() || prefix.length != 64 ||
      prefix.Network() != prefix) {
    return absl::InvalidArgumentError(absl::StrCat(
        "prefix ", prefix.ToString(), " is not an IPv6 /64 network"));
  }
  if (!prefix.Contains(record.ipv6_address) ||
      IsReservedInterfaceId(InterfaceIdOf(record.ipv6_address))) {
    return absl::InvalidArgumentError(
        absl::StrCat("IPv6 address ", record.ipv6_address.ToString(),
                     " is not a usable host address in ", prefix.ToString()));
  }
  if (record.ipv4_address.has_value() && !record.ipv4_address->is_v4()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IPv4 address ", record.ipv4_address->ToString(), " is not IPv4"));
  }
  return absl::OkStatus();
}

// Finds duplicates among records: LUID, OS LUID, kernel name, friendly name.
class UniquenessChecker {
 public:
  absl::Status Add(const AssociationRecord& record) {
    const std::string luid = FormatLuid(record.luid);
    if (!luids_.insert(record.luid).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate LUID ", luid));
    }
    if (record.os_luid.has_value() &&
        !os_luids_.insert(*record.os_luid).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("LUID ", luid, ": OS LUID ", FormatLuid(*record.os_luid),
                       " is used twice"));
    }
    if (!kernel_names_.insert(record.kernel_name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("LUID ", luid, ": kernel name '", record.kernel_name,
                       "' is used twice"));
    }
    if (!friendly_names_.insert(record.friendly_name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("LUID ", luid, ": friendly name '", record.friendly_name,
                       "' is used twice"));
    }
    return absl::OkStatus();
  }

 private:
  absl::flat_hash_set<uint64_t> luids_;
  absl::flat_hash_set<uint64_t> os_luids_;
  absl::flat_hash_set<std::string> kernel_names_;
  absl::flat_hash_set<std::string> friendly_names_;
};

absl::Status CheckIndexAllocated(const AssociationRecord& record,
                                 uint32_t next_index) {
  if (NetLuidIndex(record.luid) >= next_index) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LUID ", FormatLuid(record.luid), " has index ",
        NetLuidIndex(record.luid), ", not below next-index ", next_index));
  }
  return absl::OkStatus();
}

// The line-by-line parser: header, next-index, records, end.
class Parser {
 public:
  absl::Status Line(size_t number, absl::string_view line) {
    if (!line.empty() && line[0] == '#') return absl::OkStatus();
    absl::Status status = Dispatch(line);
    if (status.ok()) return status;
    absl::StatusCode code =
        status.code() == absl::StatusCode::kFailedPrecondition
            ? status.code()
            : absl::StatusCode::kDataLoss;
    return absl::Status(code,
                        absl::StrCat("line ", number, ": ", status.message()));
  }
  bool done() const { return stage_ == Stage::kDone; }
  AssociationTable Take() { return std::move(table_); }

 private:
  enum class Stage { kHeader, kNextIndex, kRecords, kDone };

  absl::Status Dispatch(absl::string_view line) {
    std::vector<absl::string_view> tokens = absl::StrSplit(line, ' ');
    switch (stage_) {
      case Stage::kHeader:
        return Header(tokens);
      case Stage::kNextIndex:
        return NextIndex(tokens);
      case Stage::kRecords:
        return tokens[0] == kEndKeyword ? End(tokens) : Record(tokens);
      case Stage::kDone:
        break;
    }
    return absl::InvalidArgumentError("text after the 'end' line");
  }

  absl::Status Header(const std::vector<absl::string_view>& tokens) {
    if (tokens.size() != 2 || tokens[0] != kHeaderKeyword) {
      return absl::InvalidArgumentError(absl::StrCat(
          "expected '", kHeaderKeyword, " ", kAssociationFormatVersion, "'"));
    }
    absl::StatusOr<uint64_t> version = ParseDecimal(tokens[1], 1u << 30);
    if (!version.ok()) return version.status();
    if (*version < kMinAssociationFormatVersion ||
        *version > kAssociationFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "format version ", *version, " is not supported (only ",
          kMinAssociationFormatVersion, "-", kAssociationFormatVersion, ")"));
    }
    version_ = static_cast<int>(*version);
    stage_ = Stage::kNextIndex;
    return absl::OkStatus();
  }

  absl::Status NextIndex(const std::vector<absl::string_view>& tokens) {
    if (tokens.size() != 2 || tokens[0] != kNextIndexKeyword) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected '", kNextIndexKeyword, " <n>'"));
    }
    absl::StatusOr<uint64_t> next =
        ParseDecimal(tokens[1], uint64_t{kMaxNetLuidIndex} + 1);
    if (!next.ok()) return FieldError(kNextIndexKeyword, next.status());
    if (*next == 0) return absl::InvalidArgumentError("next-index is 0");
    table_.next_index = static_cast<uint32_t>(*next);
    stage_ = Stage::kRecords;
    return absl::OkStatus();
  }

  absl::Status Record(const std::vector<absl::string_view>& tokens) {
    if (tokens[0] != kRecordKeyword ||
        tokens.size() != RecordTokens(version_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected 'record' with ", RecordTokens(version_) - 1,
                       " single-space-separated fields (format version ",
                       version_, "), or 'end <n>'"));
    }
    NATFWT_ASSIGN_OR_RETURN(AssociationRecord record,
                            ParseRecordFields(tokens, version_));
    NATFWT_RETURN_IF_ERROR(CheckIndexAllocated(record, table_.next_index));
    NATFWT_RETURN_IF_ERROR(unique_.Add(record));
    table_.records.push_back(std::move(record));
    return absl::OkStatus();
  }

  absl::Status End(const std::vector<absl::string_view>& tokens) {
    absl::StatusOr<uint64_t> count =
        tokens.size() == 2 ? ParseDecimal(tokens[1], UINT32_MAX)
                           : absl::InvalidArgumentError("expected 'end <n>'");
    if (!count.ok()) return count.status();
    if (*count != table_.records.size()) {
      return absl::InvalidArgumentError(absl::StrCat("'end' says ", *count,
                                                     " records, the file has ",
                                                     table_.records.size()));
    }
    stage_ = Stage::kDone;
    return absl::OkStatus();
  }

  Stage stage_ = Stage::kHeader;
  int version_ = kAssociationFormatVersion;  // Set by the header.
  AssociationTable table_;
  UniquenessChecker unique_;
};

}  // namespace

std::string EscapeAssociationField(absl::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    const auto byte = static_cast<unsigned char>(c);
    if (NeedsEscape(byte)) {
      out.push_back('%');
      out.push_back(kHexDigits[byte >> 4]);
      out.push_back(kHexDigits[byte & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<std::string> UnescapeAssociationField(absl::string_view field) {
  if (field.empty()) return absl::InvalidArgumentError("empty field");
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out.push_back(field[i]);
      continue;
    }
    const bool complete = i + 2 < field.size();
    const int high = complete ? UpperHexValue(field[i + 1]) : -1;
    const int low = complete ? UpperHexValue(field[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad escape at byte ", i, " (expected %XX, uppercase)"));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (EscapeAssociationField(out) != field) {
    return absl::InvalidArgumentError(
        "field is not in canonical escaped form (unescaped space, control "
        "byte or '%', or an escape of a plain character)");
  }
  return out;
}

absl::Status ValidateAssociationRecord(const AssociationRecord& record) {
  absl::Status status = ValidateProviderIdentity(record.provider_identity);
  if (status.ok()) status = ValidateLuid(record.luid);
  if (status.ok()) status = ValidateOsLuid(record.os_luid);
  if (status.ok()) status = ValidateFriendlyName(record.friendly_name);
  if (status.ok()) status = ValidateKernelInterfaceName(record.kernel_name);
  if (status.ok()) status = ValidateAddresses(record);
  if (status.ok() && (record.last_used == absl::InfiniteFuture() ||
                      record.last_used == absl::InfinitePast())) {
    status = absl::InvalidArgumentError("last-used time is not finite");
  }
  return status;
}

absl::Status ValidateAssociationTable(const AssociationTable& table) {
  if (table.next_index == 0 || table.next_index > kMaxNetLuidIndex + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("next index ", table.next_index, " is out of range"));
  }
  UniquenessChecker unique;
  for (const AssociationRecord& record : table.records) {
    absl::Status status = ValidateAssociationRecord(record);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", FormatLuid(record.luid), ": ", status.message()));
    }
    NATFWT_RETURN_IF_ERROR(CheckIndexAllocated(record, table.next_index));
    NATFWT_RETURN_IF_ERROR(unique.Add(record));
  }
  return absl::OkStatus();
}

absl::StatusOr<AssociationTable> ParseAssociations(absl::string_view text) {
  if (text.empty()) {
    return absl::DataLossError("line 1: empty file (no header)");
  }
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  // A final '\n' leaves one empty piece; without it the file was cut short.
  if (!lines.back().empty()) {
    return absl::DataLossError(absl::StrCat(
        "line ", lines.size(), ": no newline at the end (file cut short?)"));
  }
  lines.pop_back();
  Parser parser;
  for (size_t i = 0; i < lines.size(); ++i) {
    NATFWT_RETURN_IF_ERROR(parser.Line(i + 1, lines[i]));
  }
  if (!parser.done()) {
    return absl::DataLossError(absl::StrCat(
        "line ", lines.size() + 1, ": missing 'end' line (file cut short?)"));
  }
  return parser.Take();
}

int AssociationFormatVersionFor(const AssociationTable& table) {
  const bool os_luids = std::any_of(
      table.records.begin(), table.records.end(),
      [](const AssociationRecord& r) { return r.os_luid.has_value(); });
  return os_luids ? kAssociationFormatVersion : kMinAssociationFormatVersion;
}

std::string FormatAssociations(const AssociationTable& table) {
  std::vector<const AssociationRecord*> sorted;
  for (const AssociationRecord& record : table.records)
    sorted.push_back(&record);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->luid < b->luid; });
  const int version = AssociationFormatVersionFor(table);
  std::string out =
      absl::StrCat(kComment, "\n", kHeaderKeyword, " ", version, "\n",
                   kNextIndexKeyword, " ", table.next_index, "\n");
  for (const AssociationRecord* r : sorted) {
    absl::StrAppend(&out, kRecordKeyword, " ",
                    EscapeAssociationField(r->provider_identity), " ",
                    FormatLuid(r->luid));
    if (version >= 2) {
      absl::StrAppend(
          &out, " ",
          r->os_luid ? FormatLuid(*r->os_luid) : std::string(kNoValue));
    }
    absl::StrAppend(
        &out, " ", EscapeAssociationField(r->friendly_name), " ",
        EscapeAssociationField(r->kernel_name), " ", r->ula_prefix.ToString(),
        " ", r->ipv6_address.ToString(), " ",
        r->ipv4_address ? r->ipv4_address->ToString() : std::string(kNoValue),
        " ", FormatTimeField(r->last_used), "\n");
  }
  absl::StrAppend(&out, kEndKeyword, " ", sorted.size(), "\n");
  return out;
}

}  // namespace natfwt::cp
