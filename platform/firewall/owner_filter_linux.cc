// Copyright 2026 The natfwt Authors.
//
// OwnerFilter on Linux: nftables scripts (nft_ruleset.h) applied by running
// `nft -f -` with the script on standard input.

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/firewall/nft_ruleset.h"
#include "platform/firewall/owner_filter.h"
#include "platform/sys/host_probe.h"

extern char** environ;

namespace natfwt::firewall {
namespace {

// Implementation choice: nft's diagnostics are short; more is cut.
constexpr size_t kMaxNftOutput = 16384;

// Owns one file descriptor.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&&) = delete;
  ~ScopedFd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn_file_actions_t with RAII.
class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

absl::Status ErrnoStatus(absl::string_view call, int error) {
  return absl::InternalError(absl::StrCat(call, ": ", std::strerror(error)));
}

// The script in an anonymous in-memory file, positioned at its start: nft
// reads it as stdin. (A pipe would need a writer running concurrently with
// nft, and SIGPIPE handling should nft exit early.)
absl::StatusOr<ScopedFd> ScriptFile(absl::string_view script) {
  ScopedFd fd(memfd_create("natfwt-nft-script", MFD_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("memfd_create", errno);
  for (size_t done = 0; done < script.size();) {
    ssize_t n = write(fd.get(), script.data() + done, script.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("write nft script", errno);
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) return ErrnoStatus("lseek", errno);
  return fd;
}

// Starts `nft -f -` (argument vector, no shell) with stdin from `input` and
// stdout and stderr into `output`.
absl::StatusOr<pid_t> SpawnNft(const std::string& nft, int input, int output) {
  SpawnActions actions;
  if (posix_spawn_file_actions_adddup2(actions.get(), input, 0) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), output, 1) != 0 ||
      posix_spawn_file_actions_adddup2(actions.get(), output, 2) != 0) {
    return absl::ResourceExhaustedError("posix_spawn_file_actions_adddup2");
  }
  std::string arg_file = "-f", arg_stdin = "-";
  std::string program = nft;
  char* argv[] = {program.data(), arg_file.data(), arg_stdin.data(), nullptr};
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, nft.c_str(), actions.get(), nullptr, argv, environ);
  if (rc == ENOENT || rc == EACCES || rc == ENOEXEC) {
    return absl::UnavailableError(
        absl::StrCat("cannot run ", nft, ": ", std::strerror(rc)));
  }
  if (rc != 0) return ErrnoStatus(absl::StrCat("posix_spawn ", nft), rc);
  return pid;
}

// Reads until end of file; keeps the first kMaxNftOutput bytes.
std::string ReadAll(int fd) {
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t keep = std::min(static_cast<size_t>(n), kMaxNftOutput - text.size());
    text.append(chunk, keep);
  }
  return text;
}

absl::StatusOr<int> WaitFor(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid nft", errno);
  }
  return status;
}

absl::Status NftFailure(int status, absl::string_view output) {
  std::string how = WIFEXITED(status)
                        ? absl::StrCat("exit code ", WEXITSTATUS(status))
                        : absl::StrCat("signal ", WTERMSIG(status));
  std::string message = absl::StrCat("nft failed (", how,
                                     "): ", absl::StripAsciiWhitespace(output));
  // nft reports the kernel's EPERM/EACCES (missing CAP_NET_ADMIN) as text.
  if (absl::StrContains(output, "Operation not permitted") ||
      absl::StrContains(output, "Permission denied")) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InternalError(message);
}

// Runs one nft script as one transaction.
absl::Status RunNft(absl::string_view script) {
  std::optional<std::string> nft = sys::FindExecutable("nft");
  if (!nft.has_value()) {
    return absl::UnavailableError(
        "the nft program (package nftables) is not installed; natfwt needs "
        "it to restrict who may use the interface");
  }
  NATFWT_ASSIGN_OR_RETURN(ScopedFd input, ScriptFile(script));
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
  ScopedFd read_end(ends[0]);
  ScopedFd write_end(ends[1]);
  NATFWT_ASSIGN_OR_RETURN(pid_t pid,
                          SpawnNft(*nft, input.get(), write_end.get()));
  write_end.Reset();  // So the read below ends when nft exits.
  std::string output = ReadAll(read_end.get());
  NATFWT_ASSIGN_OR_RETURN(int status, WaitFor(pid));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return NftFailure(status, output);
}

// Interface names with a live OwnerFilter in this process.
ABSL_CONST_INIT absl::Mutex registry_mutex(absl::kConstInit);
absl::flat_hash_set<std::string>& Registry()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry_mutex) {
  static auto* names = new absl::flat_hash_set<std::string>();
  return *names;
}

bool Claim(absl::string_view ifname) {
  absl::MutexLock lock(&registry_mutex);
  return Registry().emplace(ifname).second;
}

void Unclaim(absl::string_view ifname) {
  absl::MutexLock lock(&registry_mutex);
  Registry().erase(std::string(ifname));
}

}  // namespace

OwnerFilter::OwnerFilter(absl::string_view ifname)
    : ifname_(ifname), table_(OwnerFilterTableName(ifname)) {}

absl::StatusOr<std::unique_ptr<OwnerFilter>> OwnerFilter::Install(
    absl::string_view ifname, const std::vector<uint32_t>& uids,
    const std::vector<uint32_t>& gids) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceName(ifname));
  if (!Claim(ifname)) {
    return absl::AlreadyExistsError(
        absl::StrCat("this process already has an owner filter on ", ifname));
  }
  // From here the object owns the claim; its destructor gives it back.
  std::unique_ptr<OwnerFilter> filter(new OwnerFilter(ifname));
  NATFWT_ASSIGN_OR_RETURN(std::string script,
                          OwnerFilterRuleset(ifname, uids, gids));
  NATFWT_RETURN_IF_ERROR(RunNft(script));
  filter->installed_ = true;
  NATFWT_LOG(kInfo) << "owner filter on " << ifname << " (nft table inet "
                    << filter->table_ << "): uids {" << absl::StrJoin(uids, ",")
                    << "} gids {" << absl::StrJoin(gids, ",") << "}";
  return filter;
}

OwnerFilter::~OwnerFilter() {
  absl::Status status = Remove();
  if (!status.ok()) {
    NATFWT_LOG(kError) << "removing the owner filter on " << ifname_
                       << " failed; nft table inet " << table_
                       << " remains: " << status;
  }
  Unclaim(ifname_);
}

absl::Status OwnerFilter::Update(const std::vector<uint32_t>& uids,
                                 const std::vector<uint32_t>& gids) {
  if (!installed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the owner filter on ", ifname_, " was removed"));
  }
  NATFWT_ASSIGN_OR_RETURN(std::string script,
                          OwnerFilterRuleset(ifname_, uids, gids));
  NATFWT_RETURN_IF_ERROR(RunNft(script));
  NATFWT_LOG(kInfo) << "owner filter on " << ifname_ << " now allows uids {"
                    << absl::StrJoin(uids, ",") << "} gids {"
                    << absl::StrJoin(gids, ",") << "}";
  return absl::OkStatus();
}

absl::Status OwnerFilter::Remove() {
  if (!installed_) return absl::OkStatus();
  NATFWT_ASSIGN_OR_RETURN(std::string script, OwnerFilterRemoval(ifname_));
  NATFWT_RETURN_IF_ERROR(RunNft(script));
  installed_ = false;
  NATFWT_LOG(kInfo) << "owner filter on " << ifname_ << " removed";
  return absl::OkStatus();
}

}  // namespace natfwt::firewall
