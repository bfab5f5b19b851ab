// Copyright 2026 The natfwt Authors.
//
// JSON reader: a recursive-descent parser over the input bytes (RFC 8259
// grammar), depth-limited.

#include "tools/natfwt/json_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace natfwt::cli {
namespace {

const JsonValue& NullValue() {
  static const auto* null = new JsonValue();
  return *null;
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> Document() {
    SkipSpace();
    absl::StatusOr<JsonValue> value = Value(0);
    if (!value.ok()) return value;
    SkipSpace();
    if (at_ != text_.size()) return Error("end of input");
    return value;
  }

 private:
  absl::Status Error(absl::string_view expected) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON: expected ", expected, " at byte ", at_));
  }

  void SkipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                  text_[at_] == '\n' || text_[at_] == '\r')) {
      ++at_;
    }
  }

  bool Consume(char c) {
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  bool ConsumeWord(absl::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  absl::StatusOr<JsonValue> Value(int depth) {
    if (depth >= kMaxJsonDepth) {
      return absl::ResourceExhaustedError(
          absl::StrCat("JSON: nested deeper than ", kMaxJsonDepth));
    }
    if (at_ >= text_.size()) return Error("a value");
    switch (text_[at_]) {
      case '{':
        return Object(depth);
      case '[':
        return ArrayValue(depth);
      case '"': {
        absl::StatusOr<std::string> text = String();
        if (!text.ok()) return text.status();
        return JsonValue(*std::move(text));
      }
      case 't':
        if (ConsumeWord("true")) return JsonValue(true);
        return Error("true");
      case 'f':
        if (ConsumeWord("false")) return JsonValue(false);
        return Error("false");
      case 'n':
        if (ConsumeWord("null")) return JsonValue();
        return Error("null");
      default:
        return Number();
    }
  }

  absl::StatusOr<JsonValue> Object(int depth) {
    ++at_;  // '{'
    JsonValue::Members members;
    SkipSpace();
    if (Consume('}')) return JsonValue(std::move(members));
    while (true) {
      SkipSpace();
      if (at_ >= text_.size() || text_[at_] != '"') return Error("a key");
      absl::StatusOr<std::string> key = String();
      if (!key.ok()) return key.status();
      SkipSpace();
      if (!Consume(':')) return Error("':'");
      SkipSpace();
      absl::StatusOr<JsonValue> value = Value(depth + 1);
      if (!value.ok()) return value.status();
      members.emplace_back(*std::move(key), *std::move(value));
      SkipSpace();
      if (Consume('}')) return JsonValue(std::move(members));
      if (!Consume(',')) return Error("',' or '}'");
    }
  }

  absl::StatusOr<JsonValue> ArrayValue(int depth) {
    ++at_;  // '['
    JsonValue::Array elements;
    SkipSpace();
    if (Consume(']')) return JsonValue(std::move(elements));
    while (true) {
      SkipSpace();
      absl::StatusOr<JsonValue> value = Value(depth + 1);
      if (!value.ok()) return value.status();
      elements.push_back(*std::move(value));
      SkipSpace();
      if (Consume(']')) return JsonValue(std::move(elements));
      if (!Consume(',')) return Error("',' or ']'");
    }
  }

  // RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  absl::StatusOr<JsonValue> Number() {
    size_t start = at_;
    Consume('-');
    if (!Consume('0') && !Digits()) return Error("a value");
    if (Consume('.') && !Digits()) return Error("digits after '.'");
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!Digits()) return Error("exponent digits");
    }
    double value;
    if (!absl::SimpleAtod(text_.substr(start, at_ - start), &value) ||
        !std::isfinite(value)) {
      at_ = start;
      return Error("a finite number");
    }
    return JsonValue(value);
  }

  bool Digits() {
    size_t start = at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ > start;
  }

  // Four hex digits after "\u".
  bool Hex4(uint32_t* out) {
    if (text_.size() - at_ < 4) return false;
    absl::string_view digits = text_.substr(at_, 4);
    if (!std::all_of(digits.begin(), digits.end(), absl::ascii_isxdigit) ||
        !absl::SimpleHexAtoi(digits, out)) {
      return false;
    }
    at_ += 4;
    return true;
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  // After "\u": one code point, a surrogate pair taking two escapes.
  absl::Status UnicodeEscape(std::string* out) {
    uint32_t code;
    if (!Hex4(&code)) return Error("4 hex digits after \\u");
    if (code >= 0xDC00 && code <= 0xDFFF) return Error("a high surrogate");
    if (code >= 0xD800 && code <= 0xDBFF) {
      uint32_t low;
      if (!ConsumeWord("\\u") || !Hex4(&low) || low < 0xDC00 || low > 0xDFFF) {
        return Error("a low surrogate");
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code, out);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> String() {
    ++at_;  // '"'
    std::string out;
    while (true) {
      if (at_ >= text_.size()) return Error("'\"'");
      char c = text_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --at_;
        return Error("no control character in a string");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (at_ >= text_.size()) return Error("an escape");
      char e = text_[at_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u':
          if (absl::Status s = UnicodeEscape(&out); !s.ok()) return s;
          break;
        default:
          --at_;
          return Error("a valid escape");
      }
    }
  }

  absl::string_view text_;
  size_t at_ = 0;
};

}  // namespace

bool JsonValue::bool_or(bool fallback) const {
  const bool* value = std::get_if<bool>(&value_);
  return value != nullptr ? *value : fallback;
}

double JsonValue::number_or(double fallback) const {
  const double* value = std::get_if<double>(&value_);
  return value != nullptr ? *value : fallback;
}

std::string JsonValue::string_or(absl::string_view fallback) const {
  const std::string* value = std::get_if<std::string>(&value_);
  return value != nullptr ? *value : std::string(fallback);
}

const JsonValue::Array& JsonValue::array() const {
  static const auto* empty = new Array();
  const Array* value = std::get_if<Array>(&value_);
  return value != nullptr ? *value : *empty;
}

const JsonValue::Members& JsonValue::members() const {
  static const auto* empty = new Members();
  const Members* value = std::get_if<Members>(&value_);
  return value != nullptr ? *value : *empty;
}

const JsonValue& JsonValue::operator[](absl::string_view key) const {
  for (const auto& [name, value] : members()) {
    if (name == key) return value;
  }
  return NullValue();
}

bool JsonValue::has(absl::string_view key) const {
  for (const auto& member : members()) {
    if (member.first == key) return true;
  }
  return false;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("JSON: larger than ", kMaxJsonBytes, " bytes"));
  }
  return Parser(text).Document();
}

}  // namespace natfwt::cli
