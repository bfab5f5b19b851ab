// Copyright 2026 The natfwt Authors.
//
// Placeholder until the command lands; replaced by its implementation.

#include <cstdio>

#include "tools/natfwt/commands.h"

namespace natfwt::cli {
namespace {
int RunPlaceholder(const ParsedArgs&) {
  std::fprintf(stderr, "natfwt up: not built yet\n");
  return kExitFailure;
}
}  // namespace

Command UpCommand() {
  return {.spec = {.name = "up", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
Command StatusCommand() {
  return {.spec = {.name = "status", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
Command PingCommand() {
  return {.spec = {.name = "ping", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
Command IdCommand() {
  return {.spec = {.name = "id", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
}  // namespace natfwt::cli
