// Copyright 2026 The natfwt Authors.
//
// Running the lab's external commands (ip, nft, tc, iptables, conntrack,
// turnserver) with posix_spawn and an argv vector, never through a shell,
// so no name or path is ever interpreted. POSIX only (subprocess_posix.cc).
//
//   NATFWT_RETURN_IF_ERROR(RunChecked({"/usr/sbin/ip", "-batch", "-"}, batch));
//
// Thread-safety: the functions may be called from any thread; a Subprocess
// object is used from one thread at a time.

#ifndef NATFWT_TOOLS_LAB_SUBPROCESS_H_
#define NATFWT_TOOLS_LAB_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::lab {

struct CommandResult {
  int exit_code = -1;  // -1 when a signal ended it.
  int signal = 0;      // The signal that ended it, or 0.
  std::string out;
  std::string err;
};

// One command with optional standard input, as run by RunChecked.
struct CommandLine {
  std::vector<std::string> argv;  // argv[0]: an absolute path.
  std::string input;              // Written to its stdin, then closed.
};

// A started child with its stdin/stdout/stderr connected to pipes.
class Subprocess {
 public:
  // Starts `command`. Errors: kInvalidArgument for an empty argv; kInternal
  // naming the failing call (pipe, posix_spawn) with strerror.
  static absl::StatusOr<Subprocess> Start(CommandLine command);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) = delete;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  // Waits for the child if Wait was not called (never leaves a zombie).
  ~Subprocess();

  // Feeds the input, collects the output and reaps the child. Call once.
  // Errors: kInternal for a failing poll/read/waitpid.
  absl::StatusOr<CommandResult> Wait();

  pid_t pid() const { return pid_; }

 private:
  Subprocess(pid_t pid, int in, int out, int err, std::string input)
      : pid_(pid), in_(in), out_(out), err_(err), input_(std::move(input)) {}
  void CloseAll();

  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string input_;
  size_t written_ = 0;
};

// "a b c": an argv for messages.
std::string JoinArgv(const std::vector<std::string>& argv);

// Runs `command` to completion. Errors: those of Subprocess.
absl::StatusOr<CommandResult> RunCommand(CommandLine command);

// Runs `command` and checks that it exits with 0. Errors: kInternal
// "`<argv>` failed (exit N): <stderr>" otherwise, or those of RunCommand.
absl::Status RunChecked(CommandLine command);

// Runs `commands`, at most `parallel` at a time, and waits for all of them.
// Errors: the first failure in `commands` order, as RunChecked reports it;
// every command has finished when it returns.
absl::Status RunAllChecked(std::vector<CommandLine> commands, size_t parallel);

// Starts `argv` detached: a new session (setsid, so no terminal signal
// reaches it), stdin from /dev/null, stdout and stderr appended to
// `log_path` (created with mode 0600). Returns its PID; the caller owns
// reaping it if it stays its parent. Errors: kInternal naming the call.
absl::StatusOr<pid_t> SpawnDetached(const std::vector<std::string>& argv,
                                    const std::string& log_path);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_SUBPROCESS_H_
