// Copyright 2026 The natfwt Authors.
//
// Placeholder until the command lands; replaced by its implementation.

#include <cstdio>

#include "tools/natfwt/commands.h"

namespace natfwt::cli {
namespace {
int RunPlaceholder(const ParsedArgs&) {
  std::fprintf(stderr, "natfwt probe: not built yet\n");
  return kExitFailure;
}
}  // namespace

Command ProbeCommand() {
  return {.spec = {.name = "probe", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
}  // namespace natfwt::cli
