// Copyright 2026 The natfwt Authors.
//
// file_peers: two programs embedding the natfwt engine find each other,
// authenticate each other and exchange encrypted datagrams. The session
// descriptions travel through two files (any signalling would do: a chat
// message, a web service, a rendezvous server).
//
//   # terminal 1
//   file_peers --identity-dir ./a --publish a.desc --peer b.desc --controlling
//   # terminal 2
//   file_peers --identity-dir ./b --publish b.desc --peer a.desc
//
// Each prints its node ID, writes its description once gathering is done,
// waits for the peer's file, connects, sends --count messages and prints
// what it receives. Exit codes: 0 when every message arrived both ways,
// 1 on failure, 2 for a bad command line.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/session/secure_session.h"

namespace {

using natfwt::engine::SecureSession;
using natfwt::engine::SessionState;

struct Flags {
  std::string identity_dir;
  std::string publish;
  std::string peer;
  bool controlling = false;
  int count = 5;
  std::string address = "127.0.0.1";
  int timeout_seconds = 30;
};

bool ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string number;
    if (arg == "--identity-dir") {
      if (!value(&flags->identity_dir)) return false;
    } else if (arg == "--publish") {
      if (!value(&flags->publish)) return false;
    } else if (arg == "--peer") {
      if (!value(&flags->peer)) return false;
    } else if (arg == "--address") {
      if (!value(&flags->address)) return false;
    } else if (arg == "--controlling") {
      flags->controlling = true;
    } else if (arg == "--count" || arg == "--timeout") {
      int* target = arg == "--count" ? &flags->count : &flags->timeout_seconds;
      if (!value(&number) || !absl::SimpleAtoi(number, target) || *target < 0) {
        return false;
      }
    } else {
      return false;
    }
  }
  return !flags->identity_dir.empty() && !flags->publish.empty() &&
         !flags->peer.empty();
}

// Waits for observable events; everything arrives on the engine's threads.
class Peer : public natfwt::engine::SecureSessionObserver {
 public:
  void OnGatheringDone() override {
    absl::MutexLock lock(&mutex_);
    gathered_ = true;
  }
  void OnStateChanged(SessionState state, const absl::Status& why) override {
    std::printf("state=%s%s%s\n",
                std::string(natfwt::engine::SessionStateName(state)).c_str(),
                why.ok() ? "" : " ",
                why.ok() ? "" : std::string(why.message()).c_str());
    std::fflush(stdout);
    absl::MutexLock lock(&mutex_);
    state_ = state;
  }
  void OnData(absl::Span<const uint8_t> data) override {
    std::printf("received=%.*s\n", static_cast<int>(data.size()),
                reinterpret_cast<const char*>(data.data()));
    std::fflush(stdout);
    absl::MutexLock lock(&mutex_);
    ++received_;
  }
  bool WaitGathered(absl::Time deadline) {
    absl::MutexLock lock(&mutex_);
    return mutex_.AwaitWithDeadline(absl::Condition(&gathered_), deadline);
  }
  SessionState WaitSettled(absl::Time deadline) {
    absl::MutexLock lock(&mutex_);
    auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return state_ == SessionState::kSecure || state_ == SessionState::kFailed;
    };
    mutex_.AwaitWithDeadline(absl::Condition(&settled), deadline);
    return state_;
  }
  bool WaitReceived(int count, absl::Time deadline) {
    absl::MutexLock lock(&mutex_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return received_ >= count;
    };
    return mutex_.AwaitWithDeadline(absl::Condition(&enough), deadline);
  }

 private:
  absl::Mutex mutex_;
  bool gathered_ ABSL_GUARDED_BY(mutex_) = false;
  SessionState state_ ABSL_GUARDED_BY(mutex_) = SessionState::kNew;
  int received_ ABSL_GUARDED_BY(mutex_) = 0;
};

// Reads the peer's description once its file holds a complete line.
absl::StatusOr<natfwt::ice::SessionDescription> AwaitPeer(
    const std::string& path, absl::Time deadline) {
  for (;;) {
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line) && in.good()) {
      return natfwt::ice::ParseSessionDescription(line);
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no description in ", path));
    }
    absl::SleepFor(absl::Milliseconds(50));  // The file is the signalling.
  }
}

absl::Status Publish(const std::string& path, const std::string& line) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << line << "\n";
    if (!out.flush())
      return absl::UnavailableError("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError("cannot rename to " + path);
  }
  return absl::OkStatus();
}

int Run(const Flags& flags) {
  absl::Time deadline = absl::Now() + absl::Seconds(flags.timeout_seconds);
  absl::StatusOr<natfwt::secure::Identity> identity =
      natfwt::secure::Identity::LoadOrCreate(flags.identity_dir);
  if (!identity.ok()) {
    std::fprintf(stderr, "identity: %s\n",
                 std::string(identity.status().message()).c_str());
    return 1;
  }
  std::printf("node_id=%s\n", identity->node_id().c_str());
  natfwt::NetworkThread thread("file-peers");
  if (!thread.Start().ok()) return 1;
  SecureSession::Options options;
  options.ice.controlling = flags.controlling;
  absl::StatusOr<natfwt::net::IpAddress> address =
      natfwt::net::IpAddress::Parse(flags.address);
  if (!address.ok()) return 2;
  options.ice.local_addresses = {*address};
  Peer peer;
  auto session = SecureSession::Create(thread, *identity, options, &peer);
  if (!session.ok() || !(*session)->Start().ok() ||
      !peer.WaitGathered(deadline)) {
    std::fprintf(stderr, "could not start the session\n");
    return 1;
  }
  absl::StatusOr<natfwt::ice::SessionDescription> local =
      (*session)->LocalDescription();
  absl::StatusOr<std::string> line =
      local.ok() ? local->Format() : local.status();
  if (!line.ok() || !Publish(flags.publish, *line).ok()) return 1;
  absl::StatusOr<natfwt::ice::SessionDescription> remote =
      AwaitPeer(flags.peer, deadline);
  if (!remote.ok()) {
    std::fprintf(stderr, "%s\n",
                 std::string(remote.status().message()).c_str());
    return 1;
  }
  if (!(*session)->SetRemoteDescription(*remote).ok() ||
      peer.WaitSettled(deadline) != SessionState::kSecure) {
    return 1;
  }
  for (int i = 0; i < flags.count; ++i) {
    std::string message =
        absl::StrCat("hello #", i, " from ", identity->node_id().substr(0, 8));
    (void)(*session)->Send(
        {reinterpret_cast<const uint8_t*>(message.data()), message.size()});
  }
  bool all = peer.WaitReceived(flags.count, deadline);
  // Let the peer receive ours too before closing (it answers the same way).
  absl::SleepFor(absl::Milliseconds(200));
  (*session)->Close();
  thread.Stop();
  return all ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::fprintf(
        stderr,
        "usage: file_peers --identity-dir DIR --publish FILE --peer FILE\n"
        "                  [--controlling] [--count N] [--address IP] "
        "[--timeout S]\n");
    return 2;
  }
  return Run(flags);
}
