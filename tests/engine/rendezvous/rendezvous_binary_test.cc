// Copyright 2026 The natfwt Authors.
//
// `natfwt rendezvous` as a process: it prints "listening on ADDR:PORT"
// with the real port for --listen 127.0.0.1:0, serves a client there, and
// exits 0 on SIGTERM or SIGINT; a bad command line exits 2, a port in use
// exits 1.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/rendezvous/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/rendezvous/rendezvous_test_support.h"
#include "tests/support/status_matchers.h"

extern char** environ;

namespace natfwt::rendezvous {
namespace {

using ::natfwt::rendezvous::testing::kWait;
using ::natfwt::rendezvous::testing::NewIdentity;
using ::natfwt::rendezvous::testing::Recorded;
using ::natfwt::rendezvous::testing::RecordingObserver;
using ::natfwt::testing::IsOk;
using ::testing::HasSubstr;

// A natfwt child process with its stdout and stderr on pipes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    const char* binary = std::getenv("NATFWT_BINARY");
    EXPECT_NE(binary, nullptr) << "NATFWT_BINARY not set";
    std::vector<std::string> argv_storage = {binary ? binary : "natfwt"};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2], err[2];
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(err, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    EXPECT_EQ(
        posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ),
        0);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    stdout_ = out[0];
    stderr_ = err[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_);
    close(stderr_);
  }

  // The first stdout line, without its newline; empty on timeout or EOF.
  std::string ReadLine(absl::Duration timeout = kWait) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string line;
    while (absl::Now() < deadline) {
      PollItem item{stdout_, kPollIn, 0};
      if (!PollSockets(absl::MakeSpan(&item, 1), deadline - absl::Now()).ok()) {
        break;
      }
      if (item.got == 0) continue;
      char c;
      if (read(stdout_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line.push_back(c);
    }
    return "";
  }

  // Waits for the exit (a pidfd makes it pollable); the exit code, or -1
  // on timeout or a signal death.
  int Wait(absl::Duration timeout = kWait) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd >= 0) {
      PollItem item{pidfd, kPollIn, 0};
      (void)PollSockets(absl::MakeSpan(&item, 1), timeout);
      close(pidfd);
      if (item.got == 0) return -1;
    }
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string Stderr() {
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = read(stderr_, buffer, sizeof(buffer))) > 0) {
      text.append(buffer, static_cast<size_t>(n));
    }
    return text;
  }

  void Signal(int number) { kill(pid_, number); }

 private:
  pid_t pid_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
};

uint16_t PortOf(const std::string& listening) {
  uint32_t port = 0;
  const size_t colon = listening.rfind(':');
  EXPECT_TRUE(absl::StartsWith(listening, "listening on 127.0.0.1:"))
      << listening;
  EXPECT_TRUE(colon != std::string::npos &&
              absl::SimpleAtoi(listening.substr(colon + 1), &port));
  return static_cast<uint16_t>(port);
}

TEST(RendezvousBinary, ServesAClientAndExitsCleanlyOnSigterm) {
  Child server({"rendezvous", "--listen", "127.0.0.1:0"});
  const uint16_t port = PortOf(server.ReadLine());
  ASSERT_NE(port, 0);

  const secure::Identity identity = NewIdentity();
  RecordingObserver observer;
  Client::Options options;
  options.server = absl::StrCat("127.0.0.1:", port);
  options.network = "home";
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Client> client,
                              Client::Create(identity, options, &observer));
  ASSERT_THAT(client->Start(), IsOk());
  ASSERT_TRUE(
      observer.WaitFor([](const Recorded& r) { return r.connected == 1; }));
  ASSERT_THAT(client->Send(identity.node_id(), "echo", "through the binary"),
              IsOk());
  ASSERT_TRUE(observer.WaitForSignal("through the binary"));

  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(), 0) << server.Stderr();
  ASSERT_TRUE(
      observer.WaitFor([](const Recorded& r) { return r.disconnected == 1; }));
  client->Stop();
}

TEST(RendezvousBinary, PortInUseExitsOneAndSigintExitsZero) {
  Child first({"rendezvous", "--listen", "127.0.0.1:0"});
  const uint16_t port = PortOf(first.ReadLine());
  ASSERT_NE(port, 0);
  Child second({"rendezvous", "--listen", absl::StrCat("127.0.0.1:", port)});
  EXPECT_EQ(second.Wait(), 1);
  EXPECT_THAT(second.Stderr(), HasSubstr("cannot listen"));
  first.Signal(SIGINT);
  EXPECT_EQ(first.Wait(), 0);
}

TEST(RendezvousBinary, BadCommandLinesExitTwo) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"rendezvous", "--listen", "bogus"},
           {"rendezvous", "--listen", "rdv.example.net:443"},
           {"rendezvous", "--listen", "127.0.0.1:99999"},
           {"rendezvous"},
           {"rendezvous", "--listen", "127.0.0.1:0", "--max-clients", "0"},
           {"rendezvous", "--listen", "127.0.0.1:0", "--idle-timeout-s", "x"},
           {"rendezvous", "--listen", "127.0.0.1:0", "extra"},
       }) {
    Child child(args);
    EXPECT_EQ(child.Wait(), 2) << absl::StrJoin(args, " ");
    EXPECT_THAT(child.Stderr(), HasSubstr("rendezvous"));
  }
  Child help({"rendezvous", "--help"});
  EXPECT_THAT(help.ReadLine(), HasSubstr("usage: natfwt rendezvous --listen"));
  EXPECT_EQ(help.Wait(), 0);
}

}  // namespace
}  // namespace natfwt::rendezvous
