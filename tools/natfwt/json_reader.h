// Copyright 2026 The natfwt Authors.
//
// A small JSON reader (RFC 8259) for what natfwt's own --json outputs say,
// e.g. `natfwt status --json` read back by `natfwt lab demo` and the lab
// tests. It builds a tree of JsonValue; lookups that miss return defaults,
// so callers read fields without a cascade of checks:
//
//   NATFWT_ASSIGN_OR_RETURN(JsonValue status, ParseJson(text));
//   for (const JsonValue& peer : status["peers"].array()) {
//     std::string path = peer["path"].string_or("none");
//   }
//
// Limits (implementation choices, so hostile input cannot exhaust memory or
// the stack): nesting depth kMaxJsonDepth, input size kMaxJsonBytes.
// Numbers are doubles. Strings are UTF-8; \u escapes (surrogate pairs
// included) are decoded, an unpaired surrogate is an error.
//
// Thread-safety: ParseJson is a pure function; a JsonValue is a value
// (const methods may be called from any thread).

#ifndef NATFWT_TOOLS_NATFWT_JSON_READER_H_
#define NATFWT_TOOLS_NATFWT_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::cli {

inline constexpr int kMaxJsonDepth = 64;
inline constexpr size_t kMaxJsonBytes = 16 * 1024 * 1024;

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Members = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() = default;  // null
  explicit JsonValue(bool value) : value_(value) {}
  explicit JsonValue(double value) : value_(value) {}
  explicit JsonValue(std::string value) : value_(std::move(value)) {}
  explicit JsonValue(Array value) : value_(std::move(value)) {}
  explicit JsonValue(Members value) : value_(std::move(value)) {}

  Type type() const { return static_cast<Type>(value_.index()); }
  bool is_null() const { return type() == Type::kNull; }

  // The value when it has that type, else `fallback`.
  bool bool_or(bool fallback) const;
  double number_or(double fallback) const;
  std::string string_or(absl::string_view fallback) const;
  // The elements of an array; empty for anything else.
  const Array& array() const;
  // The members of an object in document order; empty for anything else.
  const Members& members() const;

  // Member `key` of an object (the first, if repeated); a null value when
  // this is no object or has no such member.
  const JsonValue& operator[](absl::string_view key) const;
  // Whether this is an object with member `key`.
  bool has(absl::string_view key) const;

 private:
  std::variant<std::monostate, bool, double, std::string, Array, Members>
      value_;
};

// Parses one JSON text (surrounding whitespace allowed). Errors:
// kInvalidArgument naming the byte offset and what was expected;
// kResourceExhausted beyond kMaxJsonDepth or kMaxJsonBytes.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_JSON_READER_H_
