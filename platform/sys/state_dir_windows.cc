// Copyright 2026 The natfwt Authors.
//
// state_dir.h on Windows: %ProgramData%\natfwt. ProgramData is read from the
// environment (every Windows process has it); C:\ProgramData when it is
// missing, as on a default installation.

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "platform/sys/state_dir.h"

namespace natfwt::sys {
namespace {

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

std::string DefaultStateDir() {
  if (const char* dir = Env("NATFWT_STATE_DIR")) return dir;
  const char* program_data = Env("ProgramData");
  return absl::StrCat(
      program_data != nullptr ? program_data : "C:\\ProgramData", "\\natfwt");
}

}  // namespace natfwt::sys
