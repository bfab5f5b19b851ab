// Copyright 2026 The natfwt Authors.
//
// Runs the real natfwt binary: exit codes, help, version, doctor --json.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "natfwt_config.h"
#include "platform/sys/host_probe.h"

namespace natfwt {
namespace {

using ::testing::HasSubstr;

struct Result {
  int exit_code;
  std::string output;  // stdout and stderr
};

Result RunNatfwt(const std::string& args) {
  const char* binary = std::getenv("NATFWT_BINARY");
  EXPECT_NE(binary, nullptr) << "NATFWT_BINARY not set";
  std::string command = absl::StrCat(binary ? binary : "natfwt", " ", args, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  Result result{-1, ""};
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(NatfwtBinary, VersionAndHelp) {
  Result version = RunNatfwt("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output, absl::StrCat("natfwt ", NATFWT_VERSION, "\n"));
  Result help = RunNatfwt("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("doctor"));
  Result doctor_help = RunNatfwt("doctor --help");
  EXPECT_EQ(doctor_help.exit_code, 0);
  EXPECT_THAT(doctor_help.output, HasSubstr("--json"));
}

TEST(NatfwtBinary, UsageErrorsExitTwo) {
  EXPECT_EQ(RunNatfwt("").exit_code, 2);
  Result unknown = RunNatfwt("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.output, HasSubstr("unknown command 'frobnicate'"));
  Result bad_flag = RunNatfwt("doctor --bogus");
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_THAT(bad_flag.output, HasSubstr("unknown flag --bogus"));
  Result bad_level = RunNatfwt("doctor --log-level=shouty");
  EXPECT_EQ(bad_level.exit_code, 2);
  EXPECT_THAT(bad_level.output, HasSubstr("unknown log level"));
}

TEST(NatfwtBinary, DoctorJsonMatchesProbes) {
  Result doctor = RunNatfwt("doctor --json");
  bool tun = sys::ProbeTunDevice().ok;
  bool admin = sys::ProbeNetAdmin().ok;
  bool ipv6 = sys::ProbeIpv6().ok;
  EXPECT_EQ(doctor.exit_code, tun && admin && ipv6 ? 0 : 1) << doctor.output;
  EXPECT_THAT(doctor.output,
              HasSubstr(absl::StrCat(R"("id":"tun","title":"TUN device available and creatable","ok":)",
                                     tun ? "true" : "false")));
  EXPECT_THAT(doctor.output,
              HasSubstr(absl::StrCat(R"("id":"net_admin","title":"CAP_NET_ADMIN privilege","ok":)",
                                     admin ? "true" : "false")));
  EXPECT_THAT(doctor.output, HasSubstr(R"("libnice":")"));
  EXPECT_EQ(doctor.output.front(), '{');
}

}  // namespace
}  // namespace natfwt
