// Copyright 2026 The natfwt Authors.
//
// `natfwt lab` argument handling through the real binary: help, usage
// errors (exit 2) caught before anything is touched, and the clear error
// (exit 1) without root. Needs no privileges (as root it drops them for the
// non-root case).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/lab/lab_spec.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace {

using ::testing::HasSubstr;

std::string Binary() {
  const char* binary = std::getenv("NATFWT_BINARY");
  return binary != nullptr ? binary : "natfwt";
}

CommandResult Lab(std::vector<std::string> args) {
  std::vector<std::string> argv = {Binary(), "lab"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<CommandResult> result = RunCommand({argv, ""});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : CommandResult{};
}

TEST(LabCli, HelpDocumentsKindsAndConventions) {
  CommandResult help = Lab({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* text :
       {"lab demo", "lab up", "lab down", "lab exec", "lab flush", "lab list",
        "--transfer-mib", "restricted", "symmetric", "cgnat", "blocked",
        "round trip", "203.0.113.1:3478", "/run/natfwt/labs", "--no-rendezvous",
        "netem"}) {
    EXPECT_THAT(help.out, HasSubstr(text));
  }
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* message;
};

void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.name; }

class LabUsageTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(LabUsageTest, ExitsTwoWithMessage) {
  CommandResult result = Lab(GetParam().args);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.err, HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LabUsageTest,
    ::testing::Values(
        UsageCase{"NoSubcommand", {}, "which subcommand"},
        UsageCase{"UnknownSubcommand", {"frob"}, "unknown subcommand 'frob'"},
        UsageCase{"BadKind", {"up", "--host", "a=cone"}, "unknown NAT kind"},
        UsageCase{"BadHostFlag", {"up", "--host", "a"}, "not NAME=KIND"},
        UsageCase{"DuplicateHost",
                  {"up", "--host", "a=port", "--host", "a=full"},
                  "used twice"},
        UsageCase{"BadName", {"up", "--name", "Bad"}, "invalid lab name"},
        UsageCase{"LongName", {"up", "--name", "abcdefghi"}, "1 to 8"},
        UsageCase{"BadDelay", {"up", "--delay-ms", "abc"}, "whole number"},
        UsageCase{"HugeDelay", {"up", "--delay-ms", "99999"}, "outside"},
        UsageCase{"BadLoss", {"up", "--loss-pct", "101"}, "outside 0..100"},
        UsageCase{"BadImpair", {"up", "--impair", "tc"}, "unknown impairment"},
        UsageCase{"UpTakesNoArgument", {"up", "x"}, "wrong number"},
        UsageCase{"DownNeedsName", {"down"}, "NAME or --all"},
        UsageCase{"DownNameAndAll", {"down", "a", "--all"}, "NAME or --all"},
        UsageCase{"FlagOfOtherSubcommand",
                  {"down", "a", "--json"},
                  "--json is not a flag of 'lab down'"},
        UsageCase{"ExecNeedsCommand", {"exec", "a", "b"}, "wrong number"},
        UsageCase{"ExecOptionNeedsDashes",
                  {"exec", "a", "b", "ls", "-l"},
                  "unknown option -l"},
        UsageCase{"FlushNeedsHost", {"flush", "a"}, "wrong number"},
        UsageCase{"UnknownFlag", {"up", "--bogus"}, "unknown flag --bogus"},
        UsageCase{"DemoTakesNoArgument", {"demo", "x"}, "wrong number"},
        UsageCase{"DemoBadSize",
                  {"demo", "--transfer-mib", "0"},
                  "--transfer-mib is 1 to 4096"},
        UsageCase{"DemoBadName", {"demo", "--name", "Bad"}, "invalid lab name"},
        UsageCase{"DemoFlagOfOtherSubcommand",
                  {"demo", "--host", "a=port"},
                  "--host is not a flag of 'lab demo'"}),
    [](const ::testing::TestParamInfo<UsageCase>& param) {
      return param.param.name;
    });

TEST(LabCli, MatrixChecksItsFlagsFirst) {
  // (The matrix itself runs in lab_traversal_test, netns suite.)
  CommandResult bad_kind = Lab({"matrix", "--kinds", "open,nosuch"});
  EXPECT_EQ(bad_kind.exit_code, 2);
  EXPECT_THAT(bad_kind.err, HasSubstr("nosuch"));
  CommandResult bad_parallel = Lab({"matrix", "--parallel", "0"});
  EXPECT_EQ(bad_parallel.exit_code, 2);
  CommandResult stray = Lab({"matrix", "extra"});
  EXPECT_EQ(stray.exit_code, 2);
}

TEST(LabCli, UnknownLabFails) {
  std::string name = GenerateLabName();
  CommandResult show = Lab({"show", name});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr(geteuid() == 0 ? "no lab '" + name + "'"
                                                 : std::string("needs root")));
}

// Runs `natfwt lab ARGS` as an unprivileged user (nobody) when root, else
// as is. Returns the exit code; stderr goes to `err_path`.
int RunUnprivileged(const std::vector<std::string>& args,
                    const std::string& err_path) {
  std::vector<std::string> argv = {Binary(), "lab"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    if (err == nullptr) _exit(90);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
      _exit(91);
    }
    std::vector<char*> raw;
    for (std::string& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(92);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(LabCli, NeedsRoot) {
  std::string err_path =
      std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
      "/natfwt-lab-cli-" + GenerateLabName();
  for (std::vector<std::string> args :
       {std::vector<std::string>{"up", "--name", GenerateLabName(),
                                 "--no-rendezvous"},
        std::vector<std::string>{"down", GenerateLabName()},
        std::vector<std::string>{"list"},
        std::vector<std::string>{"demo", "--transfer-mib", "1"},
        std::vector<std::string>{"flush", GenerateLabName(), "a"}}) {
    EXPECT_EQ(RunUnprivileged(args, err_path), 1) << args[0];
    absl::StatusOr<CommandResult> err =
        RunCommand({{"/bin/cat", err_path}, ""});
    ASSERT_TRUE(err.ok());
    EXPECT_THAT(err->out, HasSubstr("needs root")) << args[0];
  }
  unlink(err_path.c_str());
}

}  // namespace
}  // namespace natfwt::lab
