// Copyright 2026 The natfwt Authors.
//
// Where natfwt keeps its state when NATFWT_STATE_DIR (or a command's
// --state-dir) does not say: the CP runtime's interface association store
// and a node's identity and control socket. One implementation per OS:
//
//   POSIX (state_dir_posix.cc): the build's state_dir option
//     (/var/lib/natfwt) for root, else $XDG_STATE_HOME/natfwt, else
//     ~/.local/state/natfwt, else /tmp/natfwt-state.
//   Windows (state_dir_windows.cc): %ProgramData%\natfwt (normally
//     C:\ProgramData\natfwt), created with a DACL for SYSTEM,
//     Administrators and its owner only (platform/sys/private_files.h).
//
// Thread-safety: reads the environment only; safe from any thread.

#ifndef NATFWT_PLATFORM_SYS_STATE_DIR_H_
#define NATFWT_PLATFORM_SYS_STATE_DIR_H_

#include <string>

namespace natfwt::sys {

// NATFWT_STATE_DIR when set and not empty, else the OS default above.
std::string DefaultStateDir();

}  // namespace natfwt::sys

#endif  // NATFWT_PLATFORM_SYS_STATE_DIR_H_
