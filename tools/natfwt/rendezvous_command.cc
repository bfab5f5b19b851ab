// Copyright 2026 The natfwt Authors.
//
// `natfwt rendezvous --listen ADDR:PORT`: runs the signalling server
// (engine/rendezvous/server.h) in the foreground until SIGINT or SIGTERM.
//
// Once listening it prints exactly one line to stdout, "listening on
// ADDR:PORT" with the real port (so `--listen 127.0.0.1:0` works for
// scripts and tests), and logs its counters at info level every
// --stats-interval-s seconds. Exit codes: 0 after a signal, 1 when it
// cannot listen, 2 for a bad command line or address.

#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/server.h"
#include "platform/base/logging.h"
#include "tools/natfwt/commands.h"

namespace natfwt::cli {
namespace {

constexpr int kDefaultStatsIntervalS = 60;

int Usage(absl::string_view message) {
  std::fprintf(stderr,
               "natfwt rendezvous: %s\nRun 'natfwt rendezvous --help' for "
               "usage.\n",
               std::string(message).c_str());
  return kExitUsage;
}

// Reads a positive integer flag into `*value` (left alone when absent).
bool ReadPositive(const ParsedArgs& args, absl::string_view flag, int64_t max,
                  int64_t* value) {
  if (!args.Has(flag)) return true;
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(args.Get(flag), &parsed) || parsed <= 0 ||
      parsed > max) {
    return false;
  }
  *value = parsed;
  return true;
}

std::string FormatStats(const rendezvous::ServerStats& stats) {
  std::string errors;
  for (size_t i = 0; i < stats.errors.size(); ++i) {
    if (stats.errors[i] == 0) continue;
    absl::StrAppend(
        &errors, errors.empty() ? "" : ",",
        rendezvous::ErrorCodeName(static_cast<rendezvous::ErrorCode>(i)), "=",
        stats.errors[i]);
  }
  return absl::StrCat(
      "clients=", stats.clients, " registered=", stats.registered,
      " networks=", stats.networks, " accepted=", stats.accepted,
      " refused=", stats.refused, " in=", stats.messages_in,
      " out=", stats.messages_out, " signals=", stats.signals_relayed,
      " rate_limited=", stats.rate_limited,
      " dropped_idle=", stats.dropped_idle,
      " dropped_slow=", stats.dropped_slow,
      " dropped_oversized=", stats.dropped_oversized,
      " dropped_abusive=", stats.dropped_abusive, " errors={", errors, "}");
}

// Logs the server's counters every `interval` until Stop().
class StatsLogger {
 public:
  StatsLogger(const rendezvous::Server* server, absl::Duration interval)
      : thread_([this, server, interval] { Run(server, interval); }) {}
  ~StatsLogger() {
    {
      absl::MutexLock lock(&mutex_);
      stop_ = true;
    }
    thread_.join();
  }

 private:
  void Run(const rendezvous::Server* server, absl::Duration interval) {
    absl::MutexLock lock(&mutex_);
    while (!mutex_.AwaitWithTimeout(absl::Condition(&stop_), interval)) {
      NATFWT_LOG(kInfo) << "rendezvous: " << FormatStats(server->stats());
    }
  }

  absl::Mutex mutex_;
  bool stop_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

int RunRendezvous(const ParsedArgs& args) {
  if (!args.Has("listen")) return Usage("--listen ADDR:PORT is required");
  rendezvous::Server::Options options;
  options.listen = args.Get("listen");
  absl::StatusOr<rendezvous::HostPort> listen =
      rendezvous::ParseHostPort(options.listen);
  if (!listen.ok()) return Usage(listen.status().message());
  if (!listen->is_ip_literal) {
    return Usage(absl::StrCat("--listen wants a numeric address, not '",
                              listen->host, "'"));
  }
  int64_t max_clients = static_cast<int64_t>(options.max_clients);
  int64_t idle_s = absl::ToInt64Seconds(options.idle_timeout);
  int64_t stats_s = kDefaultStatsIntervalS;
  if (!ReadPositive(args, "max-clients", 1 << 20, &max_clients)) {
    return Usage("--max-clients wants a number from 1 to 1048576");
  }
  if (!ReadPositive(args, "idle-timeout-s", 86400, &idle_s)) {
    return Usage("--idle-timeout-s wants a number from 1 to 86400");
  }
  if (!ReadPositive(args, "stats-interval-s", 86400, &stats_s)) {
    return Usage("--stats-interval-s wants a number from 1 to 86400");
  }
  options.max_clients = static_cast<size_t>(max_clients);
  options.idle_timeout = absl::Seconds(idle_s);
  options.register_timeout =
      std::min(options.register_timeout, options.idle_timeout);
  absl::StatusOr<std::unique_ptr<rendezvous::Server>> server =
      rendezvous::Server::Create(options);
  if (!server.ok()) return Usage(server.status().message());

  sigset_t stop_signals = BlockStopSignals();
  absl::Status started = (*server)->Start();
  if (!started.ok()) {
    std::fprintf(stderr, "natfwt rendezvous: cannot listen on %s: %s\n",
                 options.listen.c_str(),
                 std::string(started.message()).c_str());
    return kExitFailure;
  }
  std::printf("listening on %s\n", (*server)->local_address().c_str());
  std::fflush(stdout);
  int signal_number = 0;
  {
    StatsLogger logger(server->get(), absl::Seconds(stats_s));
    sigwait(&stop_signals, &signal_number);
  }
  NATFWT_LOG(kInfo) << "rendezvous: signal " << signal_number
                    << ", shutting down";
  (*server)->Stop();
  NATFWT_LOG(kInfo) << "rendezvous: final " << FormatStats((*server)->stats());
  return kExitOk;
}

}  // namespace

Command RendezvousCommand() {
  return {
      .spec = {.name = "rendezvous",
               .synopsis = "--listen ADDR:PORT [--max-clients N] "
                           "[--idle-timeout-s N] [--stats-interval-s N]",
               .summary = "run the signalling server nodes meet through",
               .flags = {{.name = "listen",
                          .takes_value = true,
                          .help =
                              "numeric address and TCP port to listen on "
                              "(\"0.0.0.0:443\", \"[::]:3478\"; port 0 picks "
                              "one, printed as \"listening on ADDR:PORT\")",
                          .value_name = "ADDR:PORT"},
                         {.name = "max-clients",
                          .takes_value = true,
                          .help = "connections served at once (default 1024)",
                          .value_name = "N"},
                         {.name = "idle-timeout-s",
                          .takes_value = true,
                          .help = "drop a client silent this long (default 45)",
                          .value_name = "N"},
                         {.name = "stats-interval-s",
                          .takes_value = true,
                          .help = "log the counters at info level this often "
                                  "(default 60)",
                          .value_name = "N"}},
               .max_positional = 0},
      .run = RunRendezvous};
}

}  // namespace natfwt::cli
