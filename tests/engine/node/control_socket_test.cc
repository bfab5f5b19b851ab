// Copyright 2026 The natfwt Authors.

#include "engine/node/control_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::node {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Collected {
  std::vector<std::string> out;
  std::vector<std::string> err;
};

absl::StatusOr<int> Ask(const std::string& path, absl::string_view request,
                        Collected* collected) {
  return ControlRequest(path, request,
                        [collected](absl::string_view line, bool is_error) {
                          (is_error ? collected->err : collected->out)
                              .push_back(std::string(line));
                        });
}

int Echo(const std::vector<std::string>& words, ControlOutput& out) {
  if (words[0] == "fail") {
    out.Err("it failed");
    return 1;
  }
  out.Out(absl::StrJoin(words, "|"));
  out.Out("second\nline");  // Line breaks cannot break the framing.
  return 0;
}

TEST(ControlSocket, ServesRequestsWithExitCodes) {
  NATFWT_ASSERT_OK_AND_ASSIGN(natfwt::testing::TempDir dir,
                              natfwt::testing::TempDir::Create("ctl"));
  std::string path = dir.path() + "/control.sock";
  NATFWT_ASSERT_OK_AND_ASSIGN(auto server, ControlServer::Start(path, Echo));
  Collected collected;
  NATFWT_ASSERT_OK_AND_ASSIGN(int code, Ask(path, "ping  a b", &collected));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(collected.out, ElementsAre("ping|a|b", "second line"));
  Collected failed;
  NATFWT_ASSERT_OK_AND_ASSIGN(code, Ask(path, "fail", &failed));
  EXPECT_EQ(code, 1);
  EXPECT_THAT(failed.err, ElementsAre("it failed"));
  Collected empty;
  NATFWT_ASSERT_OK_AND_ASSIGN(code, Ask(path, "", &empty));
  EXPECT_EQ(code, 2);
  server->Stop();
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "socket file left behind";
}

TEST(ControlSocket, SocketIsOwnerOnly) {
  NATFWT_ASSERT_OK_AND_ASSIGN(natfwt::testing::TempDir dir,
                              natfwt::testing::TempDir::Create("ctl"));
  std::string path = dir.path() + "/control.sock";
  NATFWT_ASSERT_OK_AND_ASSIGN(auto server, ControlServer::Start(path, Echo));
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(ControlSocket, RefusesASecondServerAndReplacesAStaleSocket) {
  NATFWT_ASSERT_OK_AND_ASSIGN(natfwt::testing::TempDir dir,
                              natfwt::testing::TempDir::Create("ctl"));
  std::string path = dir.path() + "/control.sock";
  {
    NATFWT_ASSERT_OK_AND_ASSIGN(auto server, ControlServer::Start(path, Echo));
    EXPECT_THAT(ControlServer::Start(path, Echo),
                StatusIs(absl::StatusCode::kAlreadyExists));
  }
  // A socket file whose server died (bound, never listening, closed).
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  close(fd);
  NATFWT_ASSERT_OK_AND_ASSIGN(auto server, ControlServer::Start(path, Echo));
  Collected collected;
  NATFWT_ASSERT_OK_AND_ASSIGN(int code, Ask(path, "x", &collected));
  EXPECT_EQ(code, 0);
}

TEST(ControlSocket, ClientErrors) {
  NATFWT_ASSERT_OK_AND_ASSIGN(natfwt::testing::TempDir dir,
                              natfwt::testing::TempDir::Create("ctl"));
  Collected collected;
  absl::StatusOr<int> code =
      Ask(dir.path() + "/none.sock", "status", &collected);
  EXPECT_THAT(code, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(code.status().message(), HasSubstr("natfwt up"));
  EXPECT_THAT(Ask(std::string(200, 'x'), "status", &collected),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string file = dir.path() + "/plain";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fclose(f);
  EXPECT_THAT(ControlServer::Start(file, Echo),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ControlSocket, OverlongRequestIsRefused) {
  NATFWT_ASSERT_OK_AND_ASSIGN(natfwt::testing::TempDir dir,
                              natfwt::testing::TempDir::Create("ctl"));
  std::string path = dir.path() + "/control.sock";
  NATFWT_ASSERT_OK_AND_ASSIGN(auto server, ControlServer::Start(path, Echo));
  Collected collected;
  NATFWT_ASSERT_OK_AND_ASSIGN(
      int code,
      Ask(path, std::string(kMaxControlRequest + 10, 'a'), &collected));
  EXPECT_EQ(code, 2);
  EXPECT_THAT(collected.err, ElementsAre(HasSubstr("bad request")))
      << absl::StrJoin(collected.out, "/");
}

}  // namespace
}  // namespace natfwt::node
