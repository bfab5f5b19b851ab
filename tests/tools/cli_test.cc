// Copyright 2026 The natfwt Authors.

#include "tools/natfwt/cli.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

CommandSpec Spec() {
  return {.name = "probe",
          .synopsis = "[--json] --stun HOST",
          .summary = "Probe.",
          .flags = {{.name = "json", .help = "JSON"},
                    {.name = "stun",
                     .takes_value = true,
                     .repeated = true,
                     .help = "server",
                     .value_name = "HOST"},
                    {.name = "count", .takes_value = true, .help = "n"}},
          .max_positional = 1};
}

TEST(CliParse, AcceptsAllFlagForms) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      ParsedArgs args, Parse(Spec(), {"--json", "--stun", "a:1", "--stun=b:2",
                                      "node", "--count=3"}));
  EXPECT_TRUE(args.Has("json"));
  EXPECT_THAT(args.values["stun"], ElementsAre("a:1", "b:2"));
  EXPECT_EQ(args.Get("count"), "3");
  EXPECT_EQ(args.Get("missing", "fallback"), "fallback");
  EXPECT_THAT(args.positional, ElementsAre("node"));
}

TEST(CliParse, DoubleDashEndsFlags) {
  NATFWT_ASSERT_OK_AND_ASSIGN(ParsedArgs args, Parse(Spec(), {"--", "--json"}));
  EXPECT_FALSE(args.Has("json"));
  EXPECT_THAT(args.positional, ElementsAre("--json"));
}

struct BadCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;
  friend void PrintTo(const BadCase& c, std::ostream* out) { *out << c.name; }
};

class CliParseErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliParseErrors, NamesTheProblem) {
  EXPECT_THAT(Parse(Spec(), GetParam().args),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    All, CliParseErrors,
    ::testing::Values(
        BadCase{"UnknownFlag", {"--nope"}, "unknown flag --nope"},
        BadCase{"MissingValue", {"--stun"}, "--stun needs a HOST"},
        BadCase{"ValueOnSwitch", {"--json=1"}, "--json takes no value"},
        BadCase{"Repeated", {"--count=1", "--count=2"}, "more than once"},
        BadCase{"ShortOption", {"-x"}, "unknown option -x"},
        BadCase{"TooManyPositionals", {"a", "b"}, "unexpected argument 'b'"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(CliHelp, ListsFlags) {
  std::string help = HelpText(Spec());
  EXPECT_THAT(help, HasSubstr("usage: natfwt probe [--json] --stun HOST"));
  EXPECT_THAT(help, HasSubstr("--stun HOST"));
  EXPECT_THAT(help, HasSubstr("(repeatable)"));
}

TEST(JsonWriter, NestsAndEscapes) {
  JsonWriter json;
  json.BeginObject();
  json.Key("s");
  json.String("a\"b\\c\n\x01");
  json.Key("list");
  json.BeginArray();
  json.Int(-3);
  json.Bool(false);
  json.Null();
  json.BeginObject();
  json.EndObject();
  json.EndArray();
  json.Key("d");
  json.Double(1.5);
  json.EndObject();
  EXPECT_EQ(json.str(),
            R"({"s":"a\"b\\c\n\u0001","list":[-3,false,null,{}],"d":1.5})");
}

TEST(CliParse, ShortFlags) {
  CommandSpec spec{.name = "ping",
                   .synopsis = "NODE",
                   .summary = "Ping.",
                   .flags = {{.name = "count",
                              .takes_value = true,
                              .help = "n",
                              .value_name = "N",
                              .short_name = 'c'}},
                   .max_positional = 1};
  NATFWT_ASSERT_OK_AND_ASSIGN(ParsedArgs args, Parse(spec, {"-c", "3", "x"}));
  EXPECT_EQ(args.Get("count"), "3");
  EXPECT_THAT(Parse(spec, {"-c"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse(spec, {"-n", "3"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HelpText(spec), ::testing::HasSubstr("-c, --count N"));
}

}  // namespace
}  // namespace natfwt::cli
