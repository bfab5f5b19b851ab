// Copyright 2026 The natfwt Authors.
//
// natfwt: the command line of the natfwt traversal engine.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "natfwt_config.h"
#include "platform/base/logging.h"
#include "tools/natfwt/cli.h"
#include "tools/natfwt/commands.h"

namespace natfwt::cli {
namespace {

std::vector<Command> AllCommands() {
  std::vector<Command> commands = {
      DoctorCommand(), UpCommand(),   StatusCommand(),
      PingCommand(),   IdCommand(),   RendezvousCommand(),
      ProbeCommand(),  TurnCommand(), LabCommand()};
  for (Command& command : commands) {
    command.spec.flags.push_back(
        {.name = "log-level",
         .takes_value = true,
         .help = "error, warning, info, debug or trace (default: "
                 "$NATFWT_LOG_LEVEL, else warning)",
         .value_name = "LEVEL"});
    command.spec.flags.push_back({.name = "help", .help = "show this help"});
  }
  return commands;
}

void PrintUsage(std::FILE* out, const std::vector<Command>& commands) {
  std::fprintf(out,
               "usage: natfwt COMMAND [flags]\n"
               "       natfwt --help | --version\n\n"
               "natfwt: NAT and firewall traversal.\n\ncommands:\n");
  for (const Command& command : commands) {
    std::fprintf(out, "  %-12s %s\n", command.spec.name.c_str(),
                 command.spec.summary.c_str());
  }
  std::fprintf(out,
               "\nRun 'natfwt COMMAND --help' for a command's flags.\n"
               "Exit codes: 0 ok, 1 failure, 2 usage error.\n");
}

// Debian builds libabsl without NDEBUG, which turns on Abseil's mutex
// deadlock detection: a lock-graph update on every Lock(), which shows up in
// profiles of the data path. The unit tests keep it; the tool runs without it
// unless NATFWT_DEADLOCK_DETECTION=1.
void ConfigureMutexes() {
  const char* wanted = std::getenv("NATFWT_DEADLOCK_DETECTION");
  if (wanted != nullptr && std::string(wanted) == "1") return;
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

int Main(int argc, char** argv) {
  ConfigureMutexes();
  std::vector<Command> commands = AllCommands();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintUsage(stderr, commands);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(stdout, commands);
    return kExitOk;
  }
  if (args[0] == "--version") {
    std::printf("natfwt %s\n", NATFWT_VERSION);
    return kExitOk;
  }
  for (const Command& command : commands) {
    if (command.spec.name != args[0]) continue;
    absl::StatusOr<ParsedArgs> parsed = Parse(
        command.spec, std::vector<std::string>(args.begin() + 1, args.end()));
    if (!parsed.ok()) {
      std::fprintf(stderr, "natfwt %s: %s\nRun 'natfwt %s --help' for usage.\n",
                   args[0].c_str(),
                   std::string(parsed.status().message()).c_str(),
                   args[0].c_str());
      return kExitUsage;
    }
    if (parsed->Has("help")) {
      std::printf("%s", HelpText(command.spec).c_str());
      return kExitOk;
    }
    if (parsed->Has("log-level")) {
      LogLevel level;
      absl::Status status = ParseLogLevel(parsed->Get("log-level"), &level);
      if (!status.ok()) {
        std::fprintf(stderr, "natfwt %s: %s\n", args[0].c_str(),
                     std::string(status.message()).c_str());
        return kExitUsage;
      }
      SetLogLevel(level);
    }
    return command.run(*parsed);
  }
  std::fprintf(stderr, "natfwt: unknown command '%s'\n\n", args[0].c_str());
  PrintUsage(stderr, commands);
  return kExitUsage;
}

}  // namespace
}  // namespace natfwt::cli

int main(int argc, char** argv) { return natfwt::cli::Main(argc, argv); }
