// Copyright 2026 The natfwt Authors.

#include "tests/engine/ice/ice_test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/support/prerequisites.h"

namespace natfwt::ice::testing {
namespace {

constexpr char kTurnUser[] = "natfwt";
constexpr char kTurnPassword[] = "loopback-only-secret";

// ---- Processes ----

// Forks and execs `argv` with stdout/stderr appended to `log_path`; the child
// dies with the test process (PR_SET_PDEATHSIG).
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                            const std::string& log_path) {
  const int log =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log < 0) return absl::InternalError(absl::StrCat("open ", log_path));
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(log);
  return pid;
}

// Runs `argv` to completion (bounded by its own work; openssl is quick).
absl::Status Run(const std::vector<std::string>& argv, const std::string& log) {
  absl::StatusOr<pid_t> pid = Spawn(argv, log);
  if (!pid.ok()) return pid.status();
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed; see ", log));
  }
  return absl::OkStatus();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- Ports ----

int BoundSocket(int type, uint16_t port, const char* ip = "127.0.0.1") {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether `port` is free for TCP and UDP on each of `ips` right now.
bool PortFree(uint16_t port, const std::vector<const char*>& ips) {
  std::vector<int> held;
  bool free = true;
  for (const char* ip : ips) {
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      const int fd = BoundSocket(type, port, ip);
      free = free && fd >= 0;
      if (fd >= 0) held.push_back(fd);
    }
  }
  for (int fd : held) close(fd);
  return free;
}

// A loopback port free for both TCP and UDP right now; with `pair`, the
// next port too, on 127.0.0.1 and the alternate address (coturn's RFC 5780
// alternate port is the listening port + 1).
absl::StatusOr<uint16_t> FreePort(bool pair = false) {
  const std::vector<const char*> ips =
      pair ? std::vector<const char*>{"127.0.0.1",
                                      TurnServerProcess::kAlternateAddress}
           : std::vector<const char*>{"127.0.0.1"};
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int tcp = BoundSocket(SOCK_STREAM, 0);
    if (tcp < 0) continue;
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    getsockname(tcp, reinterpret_cast<sockaddr*>(&address), &length);
    const uint16_t port = ntohs(address.sin_port);
    close(tcp);
    if (port == 65535 || !PortFree(port, ips)) continue;
    if (pair && !PortFree(static_cast<uint16_t>(port + 1), ips)) continue;
    return port;
  }
  return absl::InternalError("no free loopback port");
}

bool TcpConnects(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

// Sends an RFC 8489 Binding request and waits up to 100 ms for a response.
bool StunAnswers(uint16_t port, const char* ip = "127.0.0.1") {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, ip, &address.sin_addr);
  // Type 0x0001 (Binding request), length 0, magic cookie, transaction id.
  const uint8_t request[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4,
                               0x42, 1,    2,    3,    4,    5,    6,
                               7,    8,    9,    10,   11,   12};
  sendto(fd, request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&address),
         sizeof(address));
  pollfd waiter{fd, POLLIN, 0};
  uint8_t response[512];
  const bool ok = poll(&waiter, 1, 100) == 1 &&
                  recv(fd, response, sizeof(response), 0) >= 20 &&
                  response[0] == 0x01 && response[1] == 0x01;
  close(fd);
  return ok;
}

// ---- Observer helpers ----

}  // namespace

SessionConfig LoopbackConfig(bool controlling, const char* address) {
  SessionConfig config;
  config.local_addresses = {net::IpAddress::Parse(address).value()};
  config.ipv6 = false;
  config.controlling = controlling;
  config.timeouts.gathering = absl::Seconds(3);
  config.timeouts.connectivity = absl::Seconds(10);
  return config;
}

Fingerprint TestFingerprint(uint8_t seed) {
  Fingerprint fingerprint;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    fingerprint[i] = static_cast<uint8_t>(seed + i);
  }
  return fingerprint;
}

// ---- RecordingObserver ----

Recorded RecordingObserver::Snapshot() const {
  absl::MutexLock lock(&mutex_);
  return recorded_;
}

bool RecordingObserver::WaitFor(
    const std::function<bool(const Recorded&)>& predicate,
    absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto holds = [&] { return predicate(recorded_); };
  return mutex_.AwaitWithTimeout(absl::Condition(&holds), timeout);
}

bool RecordingObserver::WaitForState(IceState state,
                                     absl::Duration timeout) const {
  return WaitFor(
      [state](const Recorded& r) {
        return !r.states.empty() && r.states.back() == state;
      },
      timeout);
}

bool RecordingObserver::WaitForData(const std::string& payload,
                                    absl::Duration timeout) const {
  return WaitFor(
      [&payload](const Recorded& r) {
        for (const std::string& d : r.data) {
          if (d == payload) return true;
        }
        return false;
      },
      timeout);
}

void RecordingObserver::CountIfClosed() {
  if (!recorded_.states.empty() &&
      recorded_.states.back() == IceState::kClosed) {
    ++recorded_.callbacks_after_close;
  }
}

void RecordingObserver::OnLocalCandidate(const TrickleCandidate& candidate) {
  {
    absl::MutexLock lock(&mutex_);
    CountIfClosed();
    recorded_.candidates.push_back(candidate);
  }
  if (hooks_.candidate) hooks_.candidate(candidate);
}

void RecordingObserver::OnGatheringDone(const EndOfCandidates& end) {
  {
    absl::MutexLock lock(&mutex_);
    CountIfClosed();
    recorded_.gathering_done.push_back(end);
  }
  if (hooks_.end) hooks_.end(end);
}

void RecordingObserver::OnStateChanged(IceState state) {
  absl::MutexLock lock(&mutex_);
  CountIfClosed();
  recorded_.states.push_back(state);
}

void RecordingObserver::OnSelectedPair(const SelectedPairInfo& pair) {
  absl::MutexLock lock(&mutex_);
  CountIfClosed();
  recorded_.pairs.push_back(pair);
}

void RecordingObserver::OnData(absl::Span<const uint8_t> data) {
  absl::MutexLock lock(&mutex_);
  CountIfClosed();
  ++recorded_.data_count;
  if (keep_data_) recorded_.data.emplace_back(data.begin(), data.end());
}

void RecordingObserver::OnConsentLost() {
  absl::MutexLock lock(&mutex_);
  CountIfClosed();
  ++recorded_.consent_lost;
}

void RecordingObserver::OnIceRestart(RestartCause cause) {
  {
    absl::MutexLock lock(&mutex_);
    CountIfClosed();
    recorded_.restarts.push_back(cause);
  }
  if (hooks_.restart) hooks_.restart();
}

// ---- IcePair ----

struct IcePair::Shared {
  absl::Mutex mutex;
  bool active ABSL_GUARDED_BY(mutex) = true;
  std::function<bool(const Candidate&)> accept ABSL_GUARDED_BY(mutex);
  // Held candidates, with the session they are for.
  std::vector<std::pair<IceSession*, TrickleCandidate>> held
      ABSL_GUARDED_BY(mutex);
  std::vector<absl::Status> errors ABSL_GUARDED_BY(mutex);

  bool Active() {
    absl::MutexLock lock(&mutex);
    return active;
  }
  void Record(const absl::Status& status) {
    if (status.ok()) return;
    absl::MutexLock lock(&mutex);
    errors.push_back(status);
  }
  // True when `candidate` may go now; otherwise holds it for `to`.
  bool Admit(IceSession* to, const TrickleCandidate& candidate) {
    absl::MutexLock lock(&mutex);
    if (!accept || accept(candidate.candidate)) return true;
    held.emplace_back(to, candidate);
    return false;
  }
};

IcePair::IcePair(NetworkThread& thread, SessionConfig a_config,
                 SessionConfig b_config)
    : thread_(thread),
      a_config_(std::move(a_config)),
      b_config_(std::move(b_config)),
      shared_(std::make_shared<Shared>()) {}

IcePair::~IcePair() {
  Disconnect();
  CloseBoth();
  a_.session.reset();
  b_.session.reset();
}

absl::Status IcePair::Create() {
  a_.observer.set_hooks(HooksFor(true));
  b_.observer.set_hooks(HooksFor(false));
  absl::StatusOr<std::unique_ptr<IceSession>> a = IceSession::Create(
      thread_, a_config_, TestFingerprint(0xa0), &a_.observer);
  if (!a.ok()) return a.status();
  absl::StatusOr<std::unique_ptr<IceSession>> b = IceSession::Create(
      thread_, b_config_, TestFingerprint(0xb0), &b_.observer);
  if (!b.ok()) return b.status();
  a_.session = *std::move(a);
  b_.session = *std::move(b);
  return absl::OkStatus();
}

SignallingHooks IcePair::HooksFor(bool from_a) {
  Peer* from = from_a ? &a_ : &b_;
  Peer* to = from_a ? &b_ : &a_;
  std::shared_ptr<Shared> shared = shared_;
  NetworkThread* thread = &thread_;
  SignallingHooks hooks;
  hooks.candidate = [=](const TrickleCandidate& candidate) {
    if (!shared->Active() || !shared->Admit(to->session.get(), candidate))
      return;
    thread->Post([=] {
      if (shared->Active()) {
        shared->Record(to->session->AddRemoteCandidate(candidate));
      }
    });
  };
  hooks.end = [=](const EndOfCandidates& end) {
    if (!shared->Active()) return;
    thread->Post([=] {
      if (shared->Active())
        shared->Record(to->session->SetRemoteEndOfCandidates(end));
    });
  };
  hooks.restart = [this, from, to, shared, thread] {
    if (!shared->Active()) return;
    thread->Post([this, from, to, shared] {
      if (!shared->Active()) return;
      absl::StatusOr<SessionDescription> description = Filtered(*from->session);
      shared->Record(description.status());
      if (description.ok()) {
        shared->Record(to->session->SetRemoteDescription(*description));
      }
    });
  };
  return hooks;
}

absl::StatusOr<SessionDescription> IcePair::Filtered(IceSession& session) {
  absl::StatusOr<SessionDescription> description = session.LocalDescription();
  if (!description.ok()) return description;
  IceSession* to =
      &session == a_.session.get() ? b_.session.get() : a_.session.get();
  std::vector<Candidate> kept;
  for (const Candidate& candidate : description->candidates) {
    if (shared_->Admit(to, TrickleCandidate{description->ufrag, candidate})) {
      kept.push_back(candidate);
    }
  }
  description->candidates = std::move(kept);
  return description;
}

absl::Status IcePair::ExchangeDescriptions() {
  absl::StatusOr<SessionDescription> from_a = Filtered(*a_.session);
  if (!from_a.ok()) return from_a.status();
  absl::StatusOr<SessionDescription> from_b = Filtered(*b_.session);
  if (!from_b.ok()) return from_b.status();
  if (absl::Status s = b_.session->SetRemoteDescription(*from_a); !s.ok())
    return s;
  return a_.session->SetRemoteDescription(*from_b);
}

absl::Status IcePair::StartBoth() {
  if (absl::Status s = a_.session->Start(); !s.ok()) return s;
  return b_.session->Start();
}

void IcePair::SetFilter(std::function<bool(const Candidate&)> accept) {
  absl::MutexLock lock(&shared_->mutex);
  shared_->accept = std::move(accept);
}

void IcePair::ReleaseHeld() {
  std::vector<std::pair<IceSession*, TrickleCandidate>> held;
  {
    absl::MutexLock lock(&shared_->mutex);
    held.swap(shared_->held);
    shared_->accept = nullptr;
  }
  std::shared_ptr<Shared> shared = shared_;
  thread_.Post([held = std::move(held), shared] {
    for (const auto& [to, candidate] : held) {
      if (shared->Active()) shared->Record(to->AddRemoteCandidate(candidate));
    }
  });
}

void IcePair::Disconnect() {
  {
    absl::MutexLock lock(&shared_->mutex);
    shared_->active = false;
  }
  (void)thread_.PostAndWait([] {});  // Posted forwarding tasks see it.
}

std::vector<absl::Status> IcePair::ForwardingErrors() const {
  absl::MutexLock lock(&shared_->mutex);
  return shared_->errors;
}

void IcePair::CloseBoth() {
  if (a_.session) a_.session->Close();
  if (b_.session) b_.session->Close();
}

// ---- Resources ----

int CountOpenFds() {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++count;
  }
  return count - 1;  // The iterator's own descriptor.
}

int CountThreads() {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    (void)entry;
    ++count;
  }
  return count;
}

guint MarkSources(NetworkThread& thread) {
  guint id = 0;
  (void)thread.PostAndWait([&] {
    GSource* probe = g_idle_source_new();
    id = g_source_attach(probe, thread.context());
    g_source_destroy(probe);
    g_source_unref(probe);
  });
  return id;
}

int LiveSourcesSince(NetworkThread& thread, guint mark) {
  int live = 0;
  (void)thread.PostAndWait([&] {
    const guint end = MarkSources(thread);
    GSource* current = g_main_current_source();
    const guint self = current != nullptr ? g_source_get_id(current) : 0;
    for (guint id = mark + 1; id < end; ++id) {
      if (id != self &&
          g_main_context_find_source_by_id(thread.context(), id)) {
        ++live;
      }
    }
  });
  return live;
}

int WaitForSourcesGone(NetworkThread& thread, guint mark,
                       absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int live = LiveSourcesSince(thread, mark);
  while (live > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Bounded poll.
    live = LiveSourcesSince(thread, mark);
  }
  return live;
}

long ResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

long HeapInUseKiB() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<long>((info.uordblks + info.hblkhd) / 1024);
}

// ---- TurnServerProcess ----

absl::StatusOr<std::unique_ptr<TurnServerProcess>> TurnServerProcess::Start(
    TurnServerOptions options) {
  std::optional<std::string> turnserver =
      natfwt::testing::FindTool("turnserver");
  std::optional<std::string> openssl = natfwt::testing::FindTool("openssl");
  if (!turnserver || !openssl) {
    return absl::NotFoundError("turnserver or openssl is not installed");
  }
  absl::StatusOr<natfwt::testing::TempDir> dir =
      natfwt::testing::TempDir::Create("turn");
  if (!dir.ok()) return dir.status();
  std::unique_ptr<TurnServerProcess> server(
      new TurnServerProcess(*std::move(dir), options));
  const std::string& d = server->dir_.path();
  absl::Status made =
      Run({*openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", d + "/key.pem",
           "-out", d + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
          d + "/openssl.log");
  if (!made.ok()) return made;
  if (absl::Status s = server->Launch(*turnserver); !s.ok()) return s;
  if (absl::Status s = server->WaitUntilListening(absl::Seconds(10)); !s.ok()) {
    return absl::InternalError(absl::StrCat(s.message(), "\n", server->Log()));
  }
  return server;
}

absl::Status TurnServerProcess::Launch(const std::string& turnserver) {
  absl::StatusOr<uint16_t> port = FreePort(options_.rfc5780);
  absl::StatusOr<uint16_t> tls_port = FreePort(options_.rfc5780);
  // Nothing is bound yet: keep the two (pairs of) ports apart.
  for (int retry = 0; retry < 10 && port.ok() && tls_port.ok() &&
                      *tls_port + 1 >= *port && *tls_port <= *port + 1;
       ++retry) {
    tls_port = FreePort(options_.rfc5780);
  }
  if (!port.ok() || !tls_port.ok()) return absl::InternalError("no free port");
  port_ = *port;
  tls_port_ = *tls_port;
  // RFC 5780 needs two listening addresses; coturn then answers from the
  // second one and from the listening port + 1 (its alt-listening-port).
  const std::string listening =
      options_.rfc5780 ? absl::StrCat("listening-ip=127.0.0.1\nlistening-ip=",
                                      kAlternateAddress, "\n")
                       : "listening-ip=127.0.0.1\nno-rfc5780\n";
  // Relay ports above Linux's ephemeral range; coturn retries taken ones.
  const int relay_base = 61000 + static_cast<int>(getpid() % 20) * 200;
  const std::string& d = dir_.path();
  std::ofstream config(d + "/turnserver.conf");
  config << listening << "relay-ip=127.0.0.1\n"
         << "listening-port=" << port_ << "\ntls-listening-port=" << tls_port_
         << "\nmin-port=" << relay_base << "\nmax-port=" << relay_base + 199
         << "\nlt-cred-mech\nuser=" << kTurnUser << ":" << kTurnPassword
         << "\nrealm=natfwt.test\ncert=" << d << "/cert.pem\npkey=" << d
         << "/key.pem\nno-cli\n"
         << (options_.allow_loopback_peers ? "allow-loopback-peers\n" : "")
         << "no-dtls\n"
         << "no-tlsv1\nno-tlsv1_1\nuserdb=" << d << "/turndb\npidfile=" << d
         << "/turnserver.pid\nlog-file=" << d << "/turnserver.log\n"
         << "simple-log\n";
  config.close();
  absl::StatusOr<pid_t> pid =
      Spawn({turnserver, "-c", d + "/turnserver.conf"}, d + "/stdout.log");
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  return absl::OkStatus();
}

absl::Status TurnServerProcess::WaitUntilListening(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError("turnserver exited during start-up");
    }
    if (TcpConnects(port_) && TcpConnects(tls_port_) && StunAnswers(port_) &&
        (!options_.rfc5780 || StunAnswers(port_, kAlternateAddress))) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(20));  // Bounded poll of its ports.
  }
  return absl::InternalError("turnserver not listening after 10 s");
}

TurnServerProcess::~TurnServerProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::string TurnServerProcess::Username() { return kTurnUser; }
std::string TurnServerProcess::Password() { return kTurnPassword; }

TurnServer TurnServerProcess::Server(TurnTransport transport,
                                     const std::string& host) const {
  TurnServer server;
  server.username = kTurnUser;
  server.password = kTurnPassword;
  switch (transport) {
    case TurnTransport::kUdp:
      server.uri = absl::StrCat("turn:", host, ":", port_, "?transport=udp");
      break;
    case TurnTransport::kTcp:
      server.uri = absl::StrCat("turn:", host, ":", port_, "?transport=tcp");
      break;
    case TurnTransport::kTls:
      server.uri =
          absl::StrCat("turns:", host, ":", tls_port_, "?transport=tcp");
      server.tls_ca_file = dir_.File("cert.pem");  // Self-signed: its own CA.
      break;
  }
  return server;
}

absl::StatusOr<std::string> TurnServerProcess::UntrustedCaFile() const {
  std::optional<std::string> openssl = natfwt::testing::FindTool("openssl");
  if (!openssl) return absl::NotFoundError("openssl is not installed");
  const std::string& d = dir_.path();
  absl::Status made =
      Run({*openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           d + "/other.key", "-out", d + "/other.pem", "-days", "1", "-subj",
           "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
          d + "/openssl.log");
  if (!made.ok()) return made;
  return d + "/other.pem";
}

std::string TurnServerProcess::Log() const {
  return ReadFile(dir_.File("turnserver.log")) +
         ReadFile(dir_.File("stdout.log"));
}

}  // namespace natfwt::ice::testing
