// Copyright 2026 The natfwt Authors.
//
// state_dir.h on POSIX systems.

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "natfwt_config.h"
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
  if (geteuid() == 0) return NATFWT_STATE_DIR;
  if (const char* xdg = Env("XDG_STATE_HOME"))
    return absl::StrCat(xdg, "/natfwt");
  if (const char* home = Env("HOME"))
    return absl::StrCat(home, "/.local/state/natfwt");
  return "/tmp/natfwt-state";
}

}  // namespace natfwt::sys
