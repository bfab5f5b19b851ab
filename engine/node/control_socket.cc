// Copyright 2026 The natfwt Authors.
//
// The control socket over AF_UNIX (Linux; peer credentials via SO_PEERCRED).

#include "engine/node/control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <list>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/logging.h"

namespace natfwt::node {
namespace {

absl::Status Errno(absl::string_view what, int error) {
  std::string message = absl::StrCat(what, ": ", std::strerror(error));
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InternalError(message);
}

absl::StatusOr<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "control socket path '", path, "' is empty or longer than ",
        sizeof(address.sun_path) - 1, " bytes"));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

class SocketOutput : public ControlOutput {
 public:
  explicit SocketOutput(int fd) : fd_(fd) {}
  bool Out(absl::string_view line) override { return Write('o', line); }
  bool Err(absl::string_view line) override { return Write('e', line); }
  bool Exit(int code) { return Write('x', absl::StrCat(code)); }

 private:
  bool Write(char tag, absl::string_view line) {
    if (broken_) return false;
    std::string framed = absl::StrCat(absl::string_view(&tag, 1), " ", line);
    for (char& c : framed) {
      if (c == '\n') c = ' ';
    }
    framed.push_back('\n');
    broken_ = !WriteAll(fd_, framed);
    return !broken_;
  }
  int fd_;
  bool broken_ = false;
};

// Reads one request line within a deadline. Empty on error.
std::optional<std::string> ReadRequest(int fd) {
  std::string line;
  char buffer[256];
  while (line.size() <= kMaxControlRequest) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    int ready = poll(&p, 1, 5000);
    if (ready <= 0) return std::nullopt;
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return std::nullopt;
    line.append(buffer, static_cast<size_t>(n));
    size_t end = line.find('\n');
    if (end != std::string::npos) {
      if (end > kMaxControlRequest) return std::nullopt;
      line.resize(end);
      return line;
    }
  }
  return std::nullopt;
}

class ServerImpl : public ControlServer {
 public:
  ServerImpl(std::string path, int fd, ControlHandler handler)
      : path_(std::move(path)), fd_(fd), handler_(std::move(handler)) {
    if (pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
    thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~ServerImpl() override { Stop(); }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
    if (thread_.joinable()) thread_.join();
    {
      absl::MutexLock lock(&mutex_);
      for (int client : clients_) shutdown(client, SHUT_RDWR);
      mutex_.Await(absl::Condition(
          +[](int* active) { return *active == 0; }, &active_));
    }
    close(fd_);
    if (wake_[0] >= 0) close(wake_[0]);
    if (wake_[1] >= 0) close(wake_[1]);
    unlink(path_.c_str());
  }

 private:
  void AcceptLoop() {
    while (!stopped_) {
      pollfd polls[2] = {{.fd = fd_, .events = POLLIN, .revents = 0},
                         {.fd = wake_[0], .events = POLLIN, .revents = 0}};
      if (poll(polls, 2, -1) < 0 && errno != EINTR) return;
      if (polls[1].revents != 0) return;
      if ((polls[0].revents & POLLIN) == 0) continue;
      int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      if (!Authorised(client)) {
        SocketOutput(client).Err("permission denied");
        close(client);
        continue;
      }
      absl::MutexLock lock(&mutex_);
      if (active_ >= kMaxConnections) {
        SocketOutput out(client);
        out.Err("busy: too many control connections");
        out.Exit(1);
        close(client);
        continue;
      }
      ++active_;
      clients_.push_back(client);
      // Detached: Stop() waits for active_ to drop to zero instead.
      std::thread([this, client] { Serve(client); }).detach();
    }
  }

  static bool Authorised(int client) {
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (getsockopt(client, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
      return false;
    }
    return credentials.uid == 0 || credentials.uid == geteuid();
  }

  void Serve(int client) {
    SocketOutput out(client);
    std::optional<std::string> request = ReadRequest(client);
    int code = 2;
    if (!request.has_value()) {
      out.Err("bad request: expected one line of at most 1024 bytes");
    } else {
      std::vector<std::string> words =
          absl::StrSplit(*request, ' ', absl::SkipEmpty());
      code = words.empty() ? 2 : handler_(words, out);
      if (words.empty()) out.Err("empty request");
    }
    out.Exit(code);
    absl::MutexLock lock(&mutex_);
    clients_.remove(client);
    close(client);
    --active_;
  }

  const std::string path_;
  const int fd_;
  const ControlHandler handler_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopped_{false};
  std::thread thread_;
  absl::Mutex mutex_;
  int active_ ABSL_GUARDED_BY(mutex_) = 0;
  std::list<int> clients_ ABSL_GUARDED_BY(mutex_);
};

// Whether a live server answers at `address`.
bool SomeoneListens(const sockaddr_un& address) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = connect(fd, reinterpret_cast<const sockaddr*>(&address),
                      sizeof(address)) == 0;
  close(fd);
  return live;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Start(
    const std::string& path, ControlHandler handler) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  struct stat info {};
  if (lstat(path.c_str(), &info) == 0) {
    if (!S_ISSOCK(info.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " exists and is not a socket"));
    }
    if (SomeoneListens(*address)) {
      return absl::AlreadyExistsError(
          absl::StrCat("a node already runs with control socket ", path));
    }
    unlink(path.c_str());  // Stale: its node is gone.
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("control socket", errno);
  // Created 0600 from the start: no window in which others may connect.
  mode_t old_mask = umask(0177);
  int bound =
      bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof(*address));
  int bind_error = errno;
  umask(old_mask);
  if (bound != 0) {
    close(fd);
    return Errno(absl::StrCat("bind ", path), bind_error);
  }
  if (listen(fd, 16) != 0) {
    int error = errno;
    close(fd);
    unlink(path.c_str());
    return Errno("listen", error);
  }
  return std::unique_ptr<ControlServer>(
      new ServerImpl(path, fd, std::move(handler)));
}

absl::StatusOr<int> ControlRequest(
    const std::string& path, absl::string_view request,
    const std::function<void(absl::string_view line, bool is_error)>& on_line) {
  absl::StatusOr<sockaddr_un> address = UnixAddress(path);
  if (!address.ok()) return address.status();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket", errno);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&*address),
              sizeof(*address)) != 0) {
    int error = errno;
    close(fd);
    if (error == EACCES || error == EPERM) {
      return Errno(absl::StrCat("connect ", path), error);
    }
    return absl::UnavailableError(
        absl::StrCat("no node is running (", path, ": ", std::strerror(error),
                     "); start one with 'natfwt up'"));
  }
  if (!WriteAll(fd, absl::StrCat(request, "\n"))) {
    close(fd);
    return absl::UnavailableError("the node closed the control connection");
  }
  std::string pending;
  char buffer[4096];
  std::optional<int> code;
  while (!code.has_value()) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t end;
    while (!code.has_value() &&
           (end = pending.find('\n')) != std::string::npos) {
      absl::string_view line(pending.data(), end);
      if (line.size() >= 2 && line[1] == ' ') {
        absl::string_view text = line.substr(2);
        if (line[0] == 'o' || line[0] == 'e') {
          on_line(text, line[0] == 'e');
        } else if (line[0] == 'x') {
          int value;
          if (absl::SimpleAtoi(text, &value)) code = value;
        }
      }
      pending.erase(0, end + 1);
    }
  }
  close(fd);
  if (!code.has_value()) {
    return absl::DataLossError(
        "the node closed the connection without an answer");
  }
  return *code;
}

}  // namespace natfwt::node
