// Copyright 2026 The natfwt Authors.
//
// LabUp on Linux: applying a plan, starting the servers, waiting for them.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "platform/base/logging.h"
#include "platform/sys/private_files.h"
#include "tools/lab/certificate.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_internal.h"
#include "tools/lab/netns.h"
#include "tools/lab/server_commands.h"
#include "tools/lab/stun_binding.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Commands run at once while configuring namespaces (implementation
// choice: they are short and mostly wait on the kernel).
constexpr size_t kParallelCommands = 8;
// How long one readiness probe waits for an answer.
constexpr milliseconds kProbeTimeout{200};
// The interval between failed readiness probes (woken early when the
// server exits).
constexpr milliseconds kProbeInterval{20};

struct Tools {
  std::string ip, nft, tc, iptables, turnserver;
};

absl::StatusOr<Tools> FindTools(const LabSpec& spec) {
  Tools tools;
  auto find = [](std::string* out, absl::string_view name,
                 absl::string_view package) -> absl::Status {
    absl::StatusOr<std::string> path = internal::FindTool(name, package);
    if (!path.ok()) return path.status();
    *out = *path;
    return absl::OkStatus();
  };
  if (absl::Status s = find(&tools.ip, "ip", "iproute2"); !s.ok()) return s;
  if (absl::Status s = find(&tools.nft, "nft", "nftables"); !s.ok()) return s;
  if (absl::Status s = find(&tools.turnserver, "turnserver", "coturn");
      !s.ok()) {
    return s;
  }
  if (spec.impaired() && spec.impairment != Impairment::kShim) {
    if (absl::Status s = find(&tools.tc, "tc", "iproute2"); !s.ok()) return s;
  }
  if (spec.impaired() && spec.impairment != Impairment::kNetem) {
    if (absl::Status s = find(&tools.iptables, "iptables", "iptables");
        !s.ok()) {
      return s;
    }
  }
  return tools;
}

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// Sends a STUN Binding request from inside `ns` to ip:port; true when a
// valid success response arrives within kProbeTimeout.
bool StunAnswers(absl::string_view ns, absl::string_view ip, int port) {
  absl::Status status = RunInNamespace(ns, [&]() -> absl::Status {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError("socket");
    absl::Cleanup close_fd = [fd] { close(fd); };
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, std::string(ip).c_str(), &to.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      return absl::UnavailableError("connect");
    }
    StunTransactionId id = NewStunTransactionId();
    std::vector<uint8_t> request = BuildBindingRequest(id);
    if (send(fd, request.data(), request.size(), 0) < 0) {
      return absl::UnavailableError("send");
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(kProbeTimeout.count())) != 1) {
      return absl::UnavailableError("no answer");
    }
    uint8_t buffer[1500];
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return absl::UnavailableError("recv");
    return ParseBindingResponse(
               absl::MakeConstSpan(buffer, static_cast<size_t>(n)), id)
        .status();
  });
  return status.ok();
}

// Connects over TCP from inside `ns` to ip:port within kProbeTimeout.
bool TcpAccepts(absl::string_view ns, absl::string_view ip, int port) {
  absl::Status status = RunInNamespace(ns, [&]() -> absl::Status {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return absl::InternalError("socket");
    absl::Cleanup close_fd = [fd] { close(fd); };
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, std::string(ip).c_str(), &to.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 &&
        errno != EINPROGRESS) {
      return absl::UnavailableError("connect");
    }
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(kProbeTimeout.count())) != 1) {
      return absl::UnavailableError("timeout");
    }
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    return error == 0 ? absl::OkStatus() : absl::UnavailableError("refused");
  });
  return status.ok();
}

// A server process started by the builder, with what is needed to report
// its failure.
struct Server {
  std::string role;
  pid_t pid = -1;
  std::string log;
};

class Builder {
 public:
  Builder(const Plan& plan, const Tools& tools, const LabOptions& options,
          std::string dir, LabState* state)
      : plan_(plan),
        tools_(tools),
        options_(options),
        dir_(std::move(dir)),
        state_(state) {}

  absl::Status Build() {
    for (auto [step, name] :
         {std::pair{&Builder::CreateNamespaces, "namespaces"},
          std::pair{&Builder::ConfigureNamespaces, "addresses"},
          std::pair{&Builder::StartServers, "server start"},
          std::pair{&Builder::LoadRulesets, "rulesets"},
          std::pair{&Builder::ApplyImpairment, "impairment"},
          std::pair{&Builder::WaitForServers, "server readiness"}}) {
      Clock::time_point start = Clock::now();
      if (absl::Status s = (this->*step)(); !s.ok()) return s;
      NATFWT_LOG(kInfo) << "lab " << plan_.lab << ": " << name << " in "
                        << MsSince(start) << " ms";
    }
    return absl::OkStatus();
  }

 private:
  absl::Status CreateNamespaces() {
    if (absl::Status s =
            RunChecked({{tools_.ip, "-batch", "-"}, NetnsAddBatch(plan_)});
        !s.ok()) {
      return s;
    }
    for (const NamespacePlan& ns : plan_.namespaces) {
      if (absl::Status s = WriteSysctls(ns.name, ns.sysctls); !s.ok()) {
        return s;
      }
    }
    return RunChecked({{tools_.ip, "-batch", "-"}, VethBatch(plan_)});
  }

  absl::Status ConfigureNamespaces() {
    std::vector<CommandLine> commands;
    for (const NamespacePlan& ns : plan_.namespaces) {
      commands.push_back(
          {{tools_.ip, "-n", ns.name, "-batch", "-"}, IpBatch(ns)});
    }
    return RunAllChecked(std::move(commands), kParallelCommands);
  }

  absl::Status LoadRulesets() {
    std::vector<CommandLine> commands;
    for (const NamespacePlan& ns : plan_.namespaces) {
      if (ns.nft_ruleset.empty()) continue;
      commands.push_back(
          {{tools_.ip, "netns", "exec", ns.name, tools_.nft, "-f", "-"},
           ns.nft_ruleset});
    }
    return RunAllChecked(std::move(commands), kParallelCommands);
  }

  absl::Status ApplyImpairment() {
    const LabSpec& spec = state_->spec;
    if (!spec.impaired()) return absl::OkStatus();
    if (spec.impairment != Impairment::kShim) {
      absl::Status netem = RunChecked(
          {{tools_.tc, "-n", plan_.wan_ns, "-batch", "-"},
           NetemBatch(plan_.wan_interfaces, spec.delay_ms, spec.loss_pct)});
      if (netem.ok()) {
        state_->applied = "netem";
        return absl::OkStatus();
      }
      if (spec.impairment == Impairment::kNetem) {
        return absl::UnavailableError(
            absl::StrCat("netem is not available here (", netem.message(),
                         "); use --impair shim or auto"));
      }
      NATFWT_LOG(kInfo) << "lab " << plan_.lab
                        << ": no netem, using the NFQUEUE shim ("
                        << netem.message() << ")";
    }
    return StartShim();
  }

  absl::Status StartShim() {
    if (options_.natfwt_path.empty()) {
      return absl::FailedPreconditionError(
          "the lab's shim needs the natfwt binary's path");
    }
    const LabSpec& spec = state_->spec;
    absl::StatusOr<Server> shim =
        Start("shim", plan_.wan_ns,
              ShimArgv(options_.natfwt_path, spec.delay_ms, spec.loss_pct));
    if (!shim.ok()) return shim.status();
    // The queue must be bound before packets are sent to it: without a
    // listener (and without --queue-bypass) the kernel drops them.
    std::string queue = absl::StrCat(kShimQueue, " ");
    if (absl::Status s = WaitFor(
            *shim, "bind its NFQUEUE queue",
            [&] {
              absl::StatusOr<std::string> queues = ReadProcNetInNamespace(
                  plan_.wan_ns, "netfilter/nfnetlink_queue");
              if (!queues.ok()) return false;
              for (absl::string_view line : absl::StrSplit(*queues, '\n')) {
                if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line),
                                     queue)) {
                  return true;
                }
              }
              return false;
            });
        !s.ok()) {
      return s;
    }
    std::vector<std::string> argv = {tools_.ip, "netns", "exec", plan_.wan_ns,
                                     tools_.iptables};
    for (std::string& arg : ShimIptablesArgs()) argv.push_back(std::move(arg));
    if (absl::Status s = RunChecked({argv, ""}); !s.ok()) return s;
    state_->applied = "shim";
    return absl::OkStatus();
  }

  // Starts coturn and the rendezvous as soon as their namespace is
  // configured; they start up while the routers are set up.
  absl::Status StartServers() {
    absl::StatusOr<Server> coturn = StartCoturn();
    if (!coturn.ok()) return coturn.status();
    coturn_ = *coturn;
    if (state_->spec.rendezvous) {
      std::vector<std::string> argv = options_.rendezvous_argv;
      if (argv.empty()) {
        if (options_.natfwt_path.empty()) {
          return absl::FailedPreconditionError(
              "the lab's rendezvous needs the natfwt binary's path");
        }
        argv = RendezvousArgv(options_.natfwt_path);
      }
      absl::StatusOr<Server> started = Start("rendezvous", plan_.srv_ns, argv);
      if (!started.ok()) return started.status();
      rendezvous_ = *started;
    }
    return internal::WriteState(dir_, *state_);
  }

  absl::Status WaitForServers() {
    const std::string& srv = plan_.srv_ns;
    if (absl::Status s = WaitFor(
            coturn_, "answer STUN and TCP",
            [&] {
              return StunAnswers(srv, kStunPrimaryAddress, kStunPort) &&
                     StunAnswers(srv, kStunSecondaryAddress, kStunPort) &&
                     TcpAccepts(srv, kStunPrimaryAddress, kStunPort) &&
                     TcpAccepts(srv, kStunPrimaryAddress, kTlsPort);
            });
        !s.ok()) {
      return s;
    }
    if (!rendezvous_) return absl::OkStatus();
    return WaitFor(*rendezvous_, "accept TCP", [&] {
      return TcpAccepts(srv, kRendezvousAddress, kTlsPort);
    });
  }

  absl::StatusOr<Server> StartCoturn() {
    absl::StatusOr<PemCertificate> pem = GenerateSelfSignedCertificate(
        "natfwt lab TURN server",
        {std::string(kStunPrimaryAddress), std::string(kStunSecondaryAddress)});
    if (!pem.ok()) return pem.status();
    CoturnFiles files{dir_ + "/turn-cert.pem", dir_ + "/turn-key.pem",
                      dir_ + "/turndb", dir_ + "/turnserver.pid"};
    if (absl::Status s =
            sys::ReplaceFileAtomically(files.certificate, pem->certificate);
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            sys::ReplaceFileAtomically(files.private_key, pem->private_key);
        !s.ok()) {
      return s;
    }
    return Start("coturn", plan_.srv_ns, CoturnArgv(tools_.turnserver, files));
  }

  // Starts `argv` detached inside `ns` (`ip netns exec` replaces itself with
  // the program, so the PID is the program's) and records it.
  absl::StatusOr<Server> Start(absl::string_view role, absl::string_view ns,
                               const std::vector<std::string>& argv) {
    Server server{std::string(role), -1, absl::StrCat(dir_, "/", role, ".log")};
    std::vector<std::string> full = {tools_.ip, "netns", "exec",
                                     std::string(ns)};
    full.insert(full.end(), argv.begin(), argv.end());
    absl::StatusOr<pid_t> pid = SpawnDetached(full, server.log);
    if (!pid.ok()) return pid.status();
    server.pid = *pid;
    absl::StatusOr<uint64_t> start = ProcessStartTime(*pid);
    state_->processes.push_back({server.role, *pid, start.ok() ? *start : 0});
    return server;
  }

  // Polls `ready` until it holds; fails at once when the server exits, and
  // after options_.ready_timeout.
  absl::Status WaitFor(const Server& server, absl::string_view what,
                       absl::FunctionRef<bool()> ready) {
    Clock::time_point deadline = Clock::now() + options_.ready_timeout;
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, server.pid, 0));
    absl::Cleanup close_pidfd = [pidfd] {
      if (pidfd >= 0) close(pidfd);
    };
    for (;;) {
      if (ready()) return absl::OkStatus();
      int status = 0;
      if (waitpid(server.pid, &status, WNOHANG) == server.pid) {
        std::string how =
            WIFEXITED(status)
                ? absl::StrCat("with status ", WEXITSTATUS(status))
                : absl::StrCat("by signal ", WTERMSIG(status));
        return absl::InternalError(
            absl::StrCat(server.role, " exited ", how, " before it could ",
                         what, "; the end of ", server.log, ":\n",
                         internal::FileTail(server.log, 1500)));
      }
      if (Clock::now() >= deadline) {
        return absl::UnavailableError(absl::StrCat(
            server.role, " did not ", what, " within ",
            options_.ready_timeout.count(), " ms; the end of ", server.log,
            ":\n", internal::FileTail(server.log, 1500)));
      }
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, pidfd >= 0 ? 1 : 0, static_cast<int>(kProbeInterval.count()));
    }
  }

  const Plan& plan_;
  const Tools& tools_;
  const LabOptions& options_;
  std::string dir_;
  LabState* state_;
  Server coturn_;
  std::optional<Server> rendezvous_;
};

absl::Status CreateStateDir(const LabOptions& options, const LabSpec& spec,
                            std::string* dir) {
  if (absl::Status s = sys::MakePrivateDirectories(options.state_root);
      !s.ok()) {
    return s;
  }
  *dir = internal::StateDir(options, spec.name);
  if (mkdir(dir->c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat("lab '", spec.name, "' exists (", *dir,
                       "); remove it with `natfwt lab down ", spec.name, "`"));
    }
    return sys::ErrnoStatus(errno, "mkdir", *dir);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Lab> LabUp(const LabSpec& spec, const LabOptions& options) {
  if (absl::Status s = CheckRoot(); !s.ok()) return s;
  absl::StatusOr<Plan> plan = PlanLab(spec);
  if (!plan.ok()) return plan.status();
  absl::StatusOr<Tools> tools = FindTools(spec);
  if (!tools.ok()) return tools.status();
  std::vector<std::string> existing =
      ListNamespaces(NamespacePrefix(spec.name));
  if (!existing.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("namespaces of a lab '", spec.name, "' exist (",
                     absl::StrJoin(existing, ", "),
                     "); remove them with `natfwt lab down ", spec.name, "`"));
  }
  Lab lab;
  if (absl::Status s = CreateStateDir(options, spec, &lab.state_dir); !s.ok()) {
    return s;
  }
  lab.state.spec = spec;
  lab.state.created_unix = static_cast<int64_t>(std::time(nullptr));
  lab.plan = std::move(*plan);
  lab.certificate_path = lab.state_dir + "/turn-cert.pem";
  Clock::time_point start = Clock::now();
  absl::Status status = internal::WriteState(lab.state_dir, lab.state);
  if (status.ok()) {
    status =
        Builder(lab.plan, *tools, options, lab.state_dir, &lab.state).Build();
  }
  if (status.ok()) {
    lab.state.complete = true;
    status = internal::WriteState(lab.state_dir, lab.state);
  }
  if (!status.ok()) {
    absl::Status down = internal::Teardown(spec.name, lab.state_dir,
                                           lab.state.processes, nullptr);
    std::string note =
        down.ok() ? ""
                  : absl::StrCat(" (and tearing down: ", down.message(), ")");
    return absl::Status(status.code(),
                        absl::StrCat("lab up: ", status.message(), note));
  }
  NATFWT_LOG(kInfo) << "lab " << spec.name << " up in " << MsSince(start)
                    << " ms";
  return lab;
}

}  // namespace natfwt::lab
