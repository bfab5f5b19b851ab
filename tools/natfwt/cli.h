// Copyright 2026 The natfwt Authors.
//
// The natfwt command line's argument parsing and exit codes.
//
// Each subcommand declares its flags; Parse() checks them strictly, so an
// unknown flag, a missing value or a stray argument is a usage error (exit 2)
// with a message that names it. absl::flags is not used here: its flags are
// global to the binary and it exits with 1 on a bad flag, which breaks
// per-subcommand help and the 0/1/2 exit-code contract.

#ifndef NATFWT_TOOLS_NATFWT_CLI_H_
#define NATFWT_TOOLS_NATFWT_CLI_H_

#include <signal.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
  kExitOk = 0,       // The command did what was asked.
  kExitFailure = 1,  // It ran, and what it checked or tried failed.
  kExitUsage = 2,    // The command line was wrong; nothing was done.
};

struct FlagSpec {
  std::string name;  // Without the leading dashes.
  bool takes_value = false;
  bool repeated = false;  // May appear more than once.
  std::string help;
  std::string value_name = "VALUE";
  char short_name = 0;  // "-c N" for "--count N", when set.
};

struct CommandSpec {
  std::string name;
  std::string synopsis;  // Shown after "usage: natfwt NAME ".
  std::string summary;   // One line for the command list.
  std::vector<FlagSpec> flags;
  int max_positional = 0;
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  std::vector<std::string> positional;
  bool Has(absl::string_view flag) const { return values.contains(flag); }
  // Last value of a flag, or `fallback`.
  std::string Get(absl::string_view flag, std::string fallback = "") const;
};

// Accepts "--name", "--name=value" and "--name value". "--" ends flags.
// Returns kInvalidArgument with a message naming the problem.
absl::StatusOr<ParsedArgs> Parse(const CommandSpec& spec,
                                 const std::vector<std::string>& args);

// The --help text of one command.
std::string HelpText(const CommandSpec& spec);

// The integer value of --`name` in [min, max], `fallback` when absent.
// Errors: kInvalidArgument "--NAME must be an integer from MIN to MAX".
absl::StatusOr<int> IntFlag(const ParsedArgs& args, absl::string_view name,
                            int min, int max, int fallback);

// Reports a command's failure: "natfwt COMMAND: MESSAGE" on stderr and, with
// `json`, {"ok":false,"error":MESSAGE} on stdout.
void PrintCommandError(absl::string_view command, bool json,
                       absl::string_view message);

// Blocks SIGINT and SIGTERM in the calling thread and every thread it creates
// afterwards (call it before creating any), so that a foreground command can
// receive them synchronously with sigwait() on the returned set.
sigset_t BlockStopSignals();

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_CLI_H_
