// Copyright 2026 The natfwt Authors.
//
// Network namespaces and process handling on Linux: setns(2) on a private
// thread, /proc scanning and pidfds.

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tools/lab/netns.h"

namespace natfwt::lab {
namespace {

absl::Status ErrnoError(absl::string_view what, int error) {
  std::string message = absl::StrCat(what, ": ", std::strerror(error));
  if (error == EPERM || error == EACCES) {
    return absl::PermissionDeniedError(message);
  }
  if (error == ENOENT || error == ESRCH) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

struct StatFields {
  char state = '?';
  uint64_t start_time = 0;
};

// /proc/PID/stat: "pid (comm) state ppid ... starttime ..."; comm may hold
// spaces and parentheses, so fields are counted after the last ')'.
absl::StatusOr<StatFields> ReadStat(pid_t pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!file || !std::getline(file, line)) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) {
    return absl::DataLossError(absl::StrCat("bad /proc/", pid, "/stat"));
  }
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(line).substr(paren + 2), ' ');
  StatFields fields;
  // f[0] is field 3 (state), so field 22 (starttime) is f[19].
  if (f.size() < 20 || f[0].size() != 1 ||
      !absl::SimpleAtoi(f[19], &fields.start_time)) {
    return absl::DataLossError(absl::StrCat("bad /proc/", pid, "/stat"));
  }
  fields.state = f[0][0];
  return fields;
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(
      syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// Waits until every pidfd in `fds` (entries < 0 are done) is readable, i.e.
// its process has exited, or `timeout` passes. Marks exited ones -1.
void WaitExited(std::vector<int>* fds, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<pollfd> polls;
    std::vector<size_t> index;
    for (size_t i = 0; i < fds->size(); ++i) {
      if ((*fds)[i] >= 0) {
        polls.push_back({(*fds)[i], POLLIN, 0});
        index.push_back(i);
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (polls.empty() || left.count() <= 0) return;
    int n = poll(polls.data(), polls.size(), static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return;
    for (size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].revents != 0) {
        close((*fds)[index[k]]);
        (*fds)[index[k]] = -1;
      }
    }
  }
}

}  // namespace

absl::Status RunInNamespace(absl::string_view ns,
                            absl::FunctionRef<absl::Status()> fn) {
  std::string path = absl::StrCat(kNetnsDir, "/", ns);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError(absl::StrCat("network namespace ", ns), errno);
  }
  absl::Cleanup close_fd = [fd] { close(fd); };
  absl::Status status;
  // setns() changes only the calling thread; a thread of our own keeps the
  // caller's namespace untouched, and the switch ends with the thread.
  std::thread thread([&] {
    if (setns(fd, CLONE_NEWNET) != 0) {
      status = ErrnoError(absl::StrCat("setns ", ns), errno);
      return;
    }
    status = fn();
  });
  thread.join();
  return status;
}

absl::StatusOr<int> OpenSocketInNamespace(absl::string_view ns, int domain,
                                          int type) {
  int fd = -1;
  absl::Status status = RunInNamespace(ns, [&]() -> absl::Status {
    fd = socket(domain, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return ErrnoError("socket", errno);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return fd;
}

absl::Status WriteSysctls(absl::string_view ns,
                          const std::vector<Sysctl>& sysctls) {
  return RunInNamespace(ns, [&]() -> absl::Status {
    for (const Sysctl& sysctl : sysctls) {
      std::string path = absl::StrCat(
          "/proc/sys/", absl::StrReplaceAll(sysctl.key, {{".", "/"}}));
      int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && sysctl.optional) continue;
      if (fd < 0) {
        return ErrnoError(absl::StrCat("sysctl ", sysctl.key, " in ", ns),
                          errno);
      }
      ssize_t n = write(fd, sysctl.value.data(), sysctl.value.size());
      int error = errno;
      close(fd);
      if (n != static_cast<ssize_t>(sysctl.value.size())) {
        return ErrnoError(
            absl::StrCat("sysctl ", sysctl.key, "=", sysctl.value, " in ", ns),
            n < 0 ? error : EIO);
      }
    }
    return absl::OkStatus();
  });
}

std::vector<std::string> ListNamespaces(absl::string_view prefix) {
  std::vector<std::string> names;
  std::string dir_path(kNetnsDir);
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (absl::StartsWith(name, prefix)) names.emplace_back(name);
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<ProcessRecord> ProcessesInNamespaces(
    const std::vector<std::string>& namespaces) {
  std::vector<std::pair<dev_t, ino_t>> ids;
  for (const std::string& ns : namespaces) {
    struct stat st;
    std::string path = absl::StrCat(kNetnsDir, "/", ns);
    if (stat(path.c_str(), &st) == 0) ids.emplace_back(st.st_dev, st.st_ino);
  }
  std::vector<ProcessRecord> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr || ids.empty()) {
    if (proc != nullptr) closedir(proc);
    return found;
  }
  while (dirent* entry = readdir(proc)) {
    pid_t pid;
    if (!absl::SimpleAtoi(entry->d_name, &pid) || pid == getpid()) continue;
    struct stat st;
    std::string path = absl::StrCat("/proc/", pid, "/ns/net");
    if (stat(path.c_str(), &st) != 0) continue;
    if (std::find(ids.begin(), ids.end(),
                  std::make_pair(st.st_dev, st.st_ino)) == ids.end()) {
      continue;
    }
    absl::StatusOr<StatFields> fields = ReadStat(pid);
    if (fields.ok()) found.push_back({"other", pid, fields->start_time});
  }
  closedir(proc);
  return found;
}

absl::StatusOr<uint64_t> ProcessStartTime(pid_t pid) {
  absl::StatusOr<StatFields> fields = ReadStat(pid);
  if (!fields.ok()) return fields.status();
  return fields->start_time;
}

bool ProcessAlive(const ProcessRecord& record) {
  absl::StatusOr<StatFields> fields = ReadStat(static_cast<pid_t>(record.pid));
  return fields.ok() && fields->start_time == record.start_time &&
         fields->state != 'Z' && fields->state != 'X';
}

absl::Status EndProcesses(const std::vector<ProcessRecord>& processes,
                          std::chrono::milliseconds grace) {
  std::vector<int> fds;
  std::vector<pid_t> pids;
  for (const ProcessRecord& record : processes) {
    pid_t pid = static_cast<pid_t>(record.pid);
    int fd = PidfdOpen(pid);
    if (fd < 0) continue;  // Gone already.
    // Checked after opening the pidfd, so the pidfd and the start time
    // refer to the same process: a recycled PID is never signalled.
    absl::StatusOr<uint64_t> start = ProcessStartTime(pid);
    if (!start.ok() || *start != record.start_time) {
      close(fd);
      continue;
    }
    PidfdSignal(fd, SIGTERM);
    fds.push_back(fd);
    pids.push_back(pid);
  }
  WaitExited(&fds, grace);
  for (int fd : fds) {
    if (fd >= 0) PidfdSignal(fd, SIGKILL);
  }
  WaitExited(&fds, std::chrono::seconds(1));
  bool survivor = false;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i] >= 0) {
      survivor = true;
      close(fds[i]);
    }
    int status;
    waitpid(pids[i], &status, WNOHANG);  // Reap our own children.
  }
  if (survivor) {
    return absl::InternalError("a lab process survived SIGKILL");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadProcNetInNamespace(absl::string_view ns,
                                                   absl::string_view file) {
  std::string content;
  absl::Status status = RunInNamespace(ns, [&]() -> absl::Status {
    std::ifstream in(absl::StrCat("/proc/thread-self/net/", file));
    if (!in) return absl::NotFoundError(absl::StrCat("/proc/net/", file));
    std::stringstream buffer;
    buffer << in.rdbuf();
    content = buffer.str();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return content;
}

}  // namespace natfwt::lab
