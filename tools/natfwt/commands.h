// Copyright 2026 The natfwt Authors.
//
// The natfwt subcommands. Each returns a cli::ExitCode.

#ifndef NATFWT_TOOLS_NATFWT_COMMANDS_H_
#define NATFWT_TOOLS_NATFWT_COMMANDS_H_

#include "tools/natfwt/cli.h"

namespace natfwt::cli {

struct Command {
  CommandSpec spec;
  int (*run)(const ParsedArgs& args);
};

// `natfwt doctor`: what this machine can do for traversal.
Command DoctorCommand();

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_COMMANDS_H_
