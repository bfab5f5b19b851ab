// Copyright 2026 The natfwt Authors.
//
// Placeholder until the command lands; replaced by its implementation.

#include <cstdio>

#include "tools/natfwt/commands.h"

namespace natfwt::cli {
namespace {
int RunPlaceholder(const ParsedArgs&) {
  std::fprintf(stderr, "natfwt lab: not built yet\n");
  return kExitFailure;
}
}  // namespace

Command LabCommand() {
  return {.spec = {.name = "lab", .synopsis = "", .summary = "(not built yet)", .flags = {}, .max_positional = 0},
          .run = RunPlaceholder};
}
}  // namespace natfwt::cli
