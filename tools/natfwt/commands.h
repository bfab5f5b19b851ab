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
// `natfwt rendezvous`: the signalling server (rendezvous_command.cc).
Command RendezvousCommand();
// The node: `natfwt up`, `status`, `ping`, `id` (node_commands.cc).
Command UpCommand();
Command StatusCommand();
Command PingCommand();
Command IdCommand();
// `natfwt probe`: RFC 5780 NAT behaviour discovery (probe_command.cc).
Command ProbeCommand();
// `natfwt turn`: a TURN allocation check (turn_command.cc).
Command TurnCommand();
// `natfwt lab up|down|exec|matrix`: the NAT lab (lab_command.cc).
Command LabCommand();

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_COMMANDS_H_
