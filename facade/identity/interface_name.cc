// Copyright 2026 The natfwt Authors.

#include "facade/identity/interface_name.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cpnatfwt.h"

namespace natfwt::cp {

static_assert(kMaxFriendlyNameUtf16Units == CPNATFWT_MAX_INTERFACE_NAME_LENGTH,
              "interface_name.h disagrees with cpnatfwt.h");

namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;
constexpr uint32_t kHighSurrogateFirst = 0xD800;
constexpr uint32_t kLowSurrogateFirst = 0xDC00;
constexpr uint32_t kSurrogateLast = 0xDFFF;

bool IsSurrogate(uint32_t cp) {
  return cp >= kHighSurrogateFirst && cp <= kSurrogateLast;
}

// Unicode general category Cc: C0 controls, DEL and C1 controls.
bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

size_t Utf16UnitsOf(uint32_t cp) { return cp > 0xFFFF ? 2 : 1; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

absl::Status WideError(size_t index, absl::string_view what, uint32_t value) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "interface name: %s (0x%X) at unit %u", what, value, index));
}

// Reads unit `index` of `text` as an unsigned value (wchar_t is signed on
// Linux; a negative value becomes > U+10FFFF and is rejected).
template <typename Unit>
uint32_t UnitAt(const Unit* text, size_t index) {
  return static_cast<uint32_t>(
      static_cast<std::make_unsigned_t<Unit>>(text[index]));
}

// Decodes the code point starting at `*index` (not NUL) and advances
// `*index` past it. UTF-16 input combines surrogate pairs; the low half is
// read only when it lies within the scan bound.
template <typename Unit>
absl::StatusOr<uint32_t> NextCodePoint(const Unit* text, size_t* index) {
  const size_t at = *index;
  const uint32_t unit = UnitAt(text, at);
  *index = at + 1;
  if constexpr (sizeof(Unit) == 2) {
    if (!IsSurrogate(unit)) return unit;
    if (unit >= kLowSurrogateFirst || at + 1 >= kMaxWideScanUnits) {
      return WideError(at, "unpaired surrogate", unit);
    }
    const uint32_t low = UnitAt(text, at + 1);
    if (low < kLowSurrogateFirst || low > kSurrogateLast) {
      return WideError(at, "unpaired surrogate", unit);
    }
    *index = at + 2;
    return 0x10000 + ((unit - kHighSurrogateFirst) << 10) +
           (low - kLowSurrogateFirst);
  } else {
    if (unit > kMaxCodePoint || IsSurrogate(unit)) {
      return WideError(at, "invalid code point", unit);
    }
    return unit;
  }
}

template <typename Unit>
absl::StatusOr<std::string> ConvertWide(const Unit* text,
                                        size_t max_utf16_units,
                                        bool* truncated) {
  if (text == nullptr) {
    return absl::InvalidArgumentError("interface name: null string");
  }
  std::string out;
  size_t units = 0;
  bool cut = false;
  size_t index = 0;
  while (true) {
    if (index >= kMaxWideScanUnits) {
      return absl::InvalidArgumentError(
          absl::StrCat("interface name: no terminating NUL within ",
                       kMaxWideScanUnits, " units"));
    }
    if (UnitAt(text, index) == 0) break;
    const size_t at = index;
    absl::StatusOr<uint32_t> cp = NextCodePoint(text, &index);
    if (!cp.ok()) return cp.status();
    if (IsControl(*cp)) return WideError(at, "control character", *cp);
    if (!cut && units + Utf16UnitsOf(*cp) <= max_utf16_units) {
      AppendUtf8(*cp, &out);
      units += Utf16UnitsOf(*cp);
    } else {
      cut = true;
    }
  }
  if (truncated != nullptr) *truncated = cut;
  return out;
}

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes one strictly well-formed UTF-8 sequence at `*pos` (RFC 3629
// section 4 syntax: no overlong forms, no surrogates, nothing above
// U+10FFFF). Returns the code point and advances, or -1 without advancing.
int32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto lead = static_cast<unsigned char>(text[*pos]);
  size_t length = 1;
  uint32_t cp = lead;
  uint32_t min = 0;
  if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if (lead >= 0x80) {
    return -1;
  }
  if (text.size() - *pos < length) return -1;
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[*pos + i]);
    if (!IsContinuation(byte)) return -1;
    cp = (cp << 6) | (byte & 0x3F);
  }
  if (cp < min || cp > kMaxCodePoint || IsSurrogate(cp)) return -1;
  *pos += length;
  return static_cast<int32_t>(cp);
}

}  // namespace

absl::StatusOr<std::string> Utf16ToUtf8(const char16_t* text,
                                        size_t max_utf16_units,
                                        bool* truncated) {
  return ConvertWide(text, max_utf16_units, truncated);
}

absl::StatusOr<std::string> Utf32ToUtf8(const char32_t* text,
                                        size_t max_utf16_units,
                                        bool* truncated) {
  return ConvertWide(text, max_utf16_units, truncated);
}

absl::StatusOr<std::string> WideToUtf8(const wchar_t* text,
                                       size_t max_utf16_units,
                                       bool* truncated) {
  // wchar_t is 2 bytes (UTF-16) on Windows and 4 (UTF-32) on Linux; the
  // template decodes accordingly.
  static_assert(sizeof(wchar_t) == 2 || sizeof(wchar_t) == 4);
  return ConvertWide(text, max_utf16_units, truncated);
}

size_t Utf16Length(absl::string_view utf8) {
  size_t units = 0;
  for (char c : utf8) {
    const auto byte = static_cast<unsigned char>(c);
    if (IsContinuation(byte)) continue;
    units += byte >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string TruncateUtf8ToUtf16Units(absl::string_view utf8, size_t max_units) {
  size_t units = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (IsContinuation(byte)) continue;
    units += byte >= 0xF0 ? 2 : 1;
    if (units > max_units) return std::string(utf8.substr(0, i));
  }
  return std::string(utf8);
}

std::string TruncateUtf8ToBytes(absl::string_view utf8, size_t max_bytes) {
  if (utf8.size() <= max_bytes) return std::string(utf8);
  size_t end = max_bytes;
  // Back up to the lead byte of the sequence the cut falls into.
  while (end > 0 && IsContinuation(static_cast<unsigned char>(utf8[end]))) {
    --end;
  }
  return std::string(utf8.substr(0, end));
}

absl::Status ValidateFriendlyName(absl::string_view utf8) {
  if (utf8.empty()) {
    return absl::InvalidArgumentError("friendly name is empty");
  }
  size_t pos = 0;
  while (pos < utf8.size()) {
    const size_t at = pos;
    const int32_t cp = DecodeUtf8(utf8, &pos);
    if (cp < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("friendly name: invalid UTF-8 at byte ", at));
    }
    if (IsControl(static_cast<uint32_t>(cp))) {
      return absl::InvalidArgumentError(
          absl::StrCat("friendly name: control character at byte ", at));
    }
  }
  if (Utf16Length(utf8) > kMaxFriendlyNameUtf16Units) {
    return absl::InvalidArgumentError(
        absl::StrCat("friendly name is longer than ",
                     kMaxFriendlyNameUtf16Units, " UTF-16 units"));
  }
  return absl::OkStatus();
}

std::string MakeUniqueFriendlyName(
    absl::string_view requested, const absl::flat_hash_set<std::string>& taken,
    size_t max_utf16_units) {
  const absl::string_view wanted =
      requested.empty() ? kDefaultAdapterBaseName : requested;
  std::string base = TruncateUtf8ToUtf16Units(wanted, max_utf16_units);
  if (!base.empty() && !taken.contains(base)) return base;
  // Each k gives a different string (the digits after the last " #"), so at
  // most taken.size() candidates can be taken: the loop ends by then.
  for (size_t k = 2;; ++k) {
    const std::string suffix = absl::StrCat(" #", k);
    const size_t suffix_units = suffix.size();  // ASCII: 1 unit per byte.
    const size_t room =
        max_utf16_units > suffix_units ? max_utf16_units - suffix_units : 0;
    std::string candidate =
        absl::StrCat(TruncateUtf8ToUtf16Units(base, room), suffix);
    if (!taken.contains(candidate)) return candidate;
  }
}

std::string KernelInterfaceName(uint32_t index) {
  return absl::StrCat(kKernelInterfacePrefix, index);
}

absl::Status ValidateKernelInterfaceName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxKernelInterfaceNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel interface name must have 1-",
                     kMaxKernelInterfaceNameBytes, " bytes"));
  }
  if (name == "." || name == "..") {
    return absl::InvalidArgumentError("kernel interface name is '.' or '..'");
  }
  for (char c : name) {
    if (c <= ' ' || c > '~' || c == '/' || c == ':') {
      return absl::InvalidArgumentError(
          absl::StrFormat("kernel interface name contains byte 0x%02X",
                          static_cast<unsigned char>(c)));
    }
  }
  return absl::OkStatus();
}

}  // namespace natfwt::cp
