// Copyright 2026 The natfwt Authors.
//
// Helpers shared by lab_linux.cc and lab_up_linux.cc; not a public API.

#ifndef NATFWT_TOOLS_LAB_LAB_INTERNAL_H_
#define NATFWT_TOOLS_LAB_LAB_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/lab/lab.h"

namespace natfwt::lab::internal {

// The full path of the program `name` (PATH and the sbin directories).
// Errors: kFailedPrecondition "needs `name` (Debian package `package`)".
absl::StatusOr<std::string> FindTool(absl::string_view name,
                                     absl::string_view package);

// <state_root>/<name> and the files in it.
std::string StateDir(const LabOptions& options, absl::string_view name);
std::string StateFile(const std::string& state_dir);

// Replaces the state file atomically.
absl::Status WriteState(const std::string& state_dir, const LabState& state);

// Removes everything of lab `name`: processes (`recorded` and any inside its
// namespaces), namespaces "nfl-<name>-*", the state directory. `*removed`
// tells whether anything existed.
absl::Status Teardown(absl::string_view name, const std::string& state_dir,
                      const std::vector<ProcessRecord>& recorded,
                      bool* removed);

// The last `max_bytes` of the file at `path` (for error messages).
std::string FileTail(const std::string& path, size_t max_bytes);

}  // namespace natfwt::lab::internal

#endif  // NATFWT_TOOLS_LAB_LAB_INTERNAL_H_
