// Copyright 2026 The natfwt Authors.
//
// The JSON reader: what JsonWriter writes reads back, RFC 8259's grammar
// (escapes, surrogate pairs, numbers), and bad input is a clear error.

#include "tools/natfwt/json_reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

TEST(JsonReader, ReadsWhatTheWriterWrites) {
  JsonWriter json;
  json.BeginObject();
  json.Key("name");
  json.String("a \"quoted\"\n\\ name");
  json.Key("ok");
  json.Bool(true);
  json.Key("count");
  json.Int(-42);
  json.Key("ratio");
  json.Double(0.25);
  json.Key("none");
  json.Null();
  json.Key("list");
  json.BeginArray();
  json.String("x");
  json.Int(7);
  json.EndArray();
  json.EndObject();
  absl::StatusOr<JsonValue> value = ParseJson(json.str());
  ASSERT_THAT(value, natfwt::testing::IsOk());
  EXPECT_EQ((*value)["name"].string_or(""), "a \"quoted\"\n\\ name");
  EXPECT_TRUE((*value)["ok"].bool_or(false));
  EXPECT_EQ((*value)["count"].number_or(0), -42);
  EXPECT_EQ((*value)["ratio"].number_or(0), 0.25);
  EXPECT_TRUE((*value)["none"].is_null());
  EXPECT_TRUE(value->has("none"));
  ASSERT_EQ((*value)["list"].array().size(), 2u);
  EXPECT_EQ((*value)["list"].array()[0].string_or(""), "x");
  EXPECT_EQ((*value)["list"].array()[1].number_or(0), 7);
  EXPECT_EQ(value->members().size(), 6u);
}

TEST(JsonReader, MissesAndWrongTypesGiveDefaults) {
  absl::StatusOr<JsonValue> value = ParseJson(R"({"a": [1, 2], "s": "t"})");
  ASSERT_THAT(value, natfwt::testing::IsOk());
  EXPECT_TRUE((*value)["missing"].is_null());
  EXPECT_FALSE(value->has("missing"));
  EXPECT_EQ((*value)["missing"]["deeper"].string_or("d"), "d");
  EXPECT_EQ((*value)["s"].number_or(5), 5);
  EXPECT_TRUE((*value)["s"].array().empty());
  EXPECT_TRUE((*value)["a"].members().empty());
  EXPECT_EQ((*value)["a"]["x"].type(), JsonValue::Type::kNull);
}

TEST(JsonReader, DecodesEscapesAndSurrogatePairs) {
  absl::StatusOr<JsonValue> value =
      ParseJson(R"(["\u00e9\u20ac\ud83d\ude00", "\/\b\f\r\t"])");
  ASSERT_THAT(value, natfwt::testing::IsOk());
  EXPECT_EQ(value->array()[0].string_or(""),
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(value->array()[1].string_or(""), "/\b\f\r\t");
}

TEST(JsonReader, ReadsNumbersOfEveryShape) {
  absl::StatusOr<JsonValue> value =
      ParseJson("[0, -0.5, 1e3, 2.5E-2, 123456789012]");
  ASSERT_THAT(value, natfwt::testing::IsOk());
  const JsonValue::Array& n = value->array();
  ASSERT_EQ(n.size(), 5u);
  EXPECT_EQ(n[0].number_or(1), 0);
  EXPECT_EQ(n[1].number_or(0), -0.5);
  EXPECT_EQ(n[2].number_or(0), 1000);
  EXPECT_EQ(n[3].number_or(0), 0.025);
  EXPECT_EQ(n[4].number_or(0), 123456789012.0);
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class JsonReaderBadTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonReaderBadTest, IsAnErrorNamingTheProblem) {
  absl::StatusOr<JsonValue> value = ParseJson(GetParam().text);
  EXPECT_THAT(value, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonReaderBadTest,
    ::testing::Values(
        BadCase{"Empty", "", "a value"},
        BadCase{"TrailingGarbage", "{} x", "end of input"},
        BadCase{"TrailingComma", "[1,]", "a value"},
        BadCase{"MissingColon", R"({"a" 1})", "':'"},
        BadCase{"UnquotedKey", "{a: 1}", "a key"},
        BadCase{"Unterminated", R"(["abc)", "'\"'"},
        BadCase{"ControlCharacter", "[\"a\nb\"]", "control character"},
        BadCase{"BadEscape", R"(["\x"])", "valid escape"},
        BadCase{"ShortUnicode", R"(["\u12"])", "4 hex digits"},
        BadCase{"LoneLowSurrogate", R"(["\udc00"])", "high surrogate"},
        BadCase{"LoneHighSurrogate", R"(["\ud800x"])", "low surrogate"},
        BadCase{"LeadingZero", "[01]", "',' or ']'"},
        BadCase{"BareMinus", "[-]", "a value"},
        BadCase{"NoFraction", "[1.]", "digits after '.'"},
        BadCase{"NoExponent", "[1e]", "exponent digits"},
        BadCase{"Overflow", "[1e999]", "a finite number"},
        BadCase{"Misspelt", "[tru]", "true"}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return param.param.name;
    });

TEST(JsonReader, LimitsNesting) {
  std::string deep(kMaxJsonDepth + 1, '[');
  deep.append(kMaxJsonDepth + 1, ']');
  EXPECT_THAT(ParseJson(deep), StatusIs(absl::StatusCode::kResourceExhausted));
  std::string fine(kMaxJsonDepth - 1, '[');
  fine.append(kMaxJsonDepth - 1, ']');
  EXPECT_THAT(ParseJson(fine), natfwt::testing::IsOk());
}

}  // namespace
}  // namespace natfwt::cli
