// Copyright 2026 The natfwt Authors.
//
// Subprocess over posix_spawn, pipes and poll.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/lab/subprocess.h"

extern char** environ;

namespace natfwt::lab {
namespace {

absl::Status ErrnoError(absl::string_view call, int error) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(error)));
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// Spawn attributes shared by every child: no blocked signals, SIGPIPE back
// to its default (the parent may ignore it), optionally a new session.
class SpawnAttributes {
 public:
  explicit SpawnAttributes(bool new_session) {
    posix_spawnattr_init(&attr_);
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr_, &empty);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&attr_, flags);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  const posix_spawnattr_t* get() const { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                            FileActions* actions, bool new_session) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  SpawnAttributes attributes(new_session);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), actions->get(), attributes.get(),
                       args.data(), environ);
  if (rc != 0) return ErrnoError(absl::StrCat("posix_spawn ", argv[0]), rc);
  return pid;
}

// write() without dying of SIGPIPE when the child has closed its stdin:
// SIGPIPE is blocked for this thread during the call and a pending one is
// consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = write(fd, data, size);
  int saved = errno;
  if (n < 0 && errno == EPIPE) {
    timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

// Reads what is available from `*fd` into `out`; closes it at end of file.
absl::Status Drain(int* fd, std::string* out) {
  char buffer[4096];
  for (;;) {
    ssize_t n = read(*fd, buffer, sizeof(buffer));
    if (n > 0) {
      out->append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      CloseFd(fd);
      return absl::OkStatus();
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return absl::OkStatus();
    return ErrnoError("read", errno);
  }
}

}  // namespace

absl::StatusOr<Subprocess> Subprocess::Start(CommandLine command) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return ErrnoError("pipe2", errno);
  if (pipe2(out, O_CLOEXEC) != 0) {
    int e = errno;
    close(in[0]), close(in[1]);
    return ErrnoError("pipe2", e);
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    return ErrnoError("pipe2", e);
  }
  FileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), in[0], 0);
  posix_spawn_file_actions_adddup2(actions.get(), out[1], 1);
  posix_spawn_file_actions_adddup2(actions.get(), err[1], 2);
  absl::StatusOr<pid_t> pid = Spawn(command.argv, &actions, false);
  close(in[0]), close(out[1]), close(err[1]);
  if (!pid.ok()) {
    close(in[1]), close(out[0]), close(err[0]);
    return pid.status();
  }
  for (int fd : {in[1], out[0], err[0]}) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  return Subprocess(*pid, in[1], out[0], err[0], std::move(command.input));
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(other.pid_),
      in_(other.in_),
      out_(other.out_),
      err_(other.err_),
      input_(std::move(other.input_)),
      written_(other.written_) {
  other.pid_ = -1;
  other.in_ = other.out_ = other.err_ = -1;
}

Subprocess::~Subprocess() {
  CloseAll();
  if (pid_ > 0) {
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

void Subprocess::CloseAll() {
  CloseFd(&in_);
  CloseFd(&out_);
  CloseFd(&err_);
}

absl::StatusOr<CommandResult> Subprocess::Wait() {
  CommandResult result;
  if (written_ >= input_.size()) CloseFd(&in_);
  while (in_ >= 0 || out_ >= 0 || err_ >= 0) {
    pollfd fds[3] = {{in_, POLLOUT, 0}, {out_, POLLIN, 0}, {err_, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("poll", errno);
    }
    if (in_ >= 0 && fds[0].revents != 0) {
      ssize_t n = WriteNoSigpipe(in_, input_.data() + written_,
                                 input_.size() - written_);
      if (n > 0) written_ += static_cast<size_t>(n);
      // EPIPE: the child stopped reading; its exit status tells the rest.
      if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
          written_ >= input_.size()) {
        CloseFd(&in_);
      }
    }
    if (out_ >= 0 && fds[1].revents != 0) {
      if (absl::Status s = Drain(&out_, &result.out); !s.ok()) return s;
    }
    if (err_ >= 0 && fds[2].revents != 0) {
      if (absl::Status s = Drain(&err_, &result.err); !s.ok()) return s;
    }
  }
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoError("waitpid", errno);
  }
  pid_ = -1;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  return absl::StrJoin(argv, " ");
}

absl::StatusOr<CommandResult> RunCommand(CommandLine command) {
  absl::StatusOr<Subprocess> child = Subprocess::Start(std::move(command));
  if (!child.ok()) return child.status();
  return child->Wait();
}

namespace {

absl::Status CheckResult(const std::vector<std::string>& argv,
                         const absl::StatusOr<CommandResult>& result) {
  if (!result.ok()) {
    return absl::InternalError(
        absl::StrCat("`", JoinArgv(argv), "`: ", result.status().message()));
  }
  if (result->exit_code == 0) return absl::OkStatus();
  std::string how = result->signal != 0
                        ? absl::StrCat("signal ", result->signal)
                        : absl::StrCat("exit ", result->exit_code);
  std::string err = result->err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  return absl::InternalError(
      absl::StrCat("`", JoinArgv(argv), "` failed (", how, "): ", err));
}

}  // namespace

absl::Status RunChecked(CommandLine command) {
  std::vector<std::string> argv = command.argv;
  return CheckResult(argv, RunCommand(std::move(command)));
}

absl::Status RunAllChecked(std::vector<CommandLine> commands, size_t parallel) {
  absl::Status first = absl::OkStatus();
  std::deque<std::pair<size_t, absl::StatusOr<Subprocess>>> running;
  auto finish_one = [&] {
    auto& [index, child] = running.front();
    absl::StatusOr<CommandResult> result =
        child.ok() ? child->Wait()
                   : absl::StatusOr<CommandResult>(child.status());
    absl::Status s = CheckResult(commands[index].argv, result);
    if (first.ok() && !s.ok()) first = s;
    running.pop_front();
  };
  for (size_t i = 0; i < commands.size(); ++i) {
    if (running.size() >= std::max<size_t>(parallel, 1)) finish_one();
    CommandLine copy = commands[i];
    running.emplace_back(i, Subprocess::Start(std::move(copy)));
  }
  while (!running.empty()) finish_one();
  return first;
}

absl::StatusOr<pid_t> SpawnDetached(const std::vector<std::string>& argv,
                                    const std::string& log_path) {
  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(actions.get(), 1, 2);
  return Spawn(argv, &actions, true);
}

}  // namespace natfwt::lab
