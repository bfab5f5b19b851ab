// Copyright 2026 The natfwt Authors.
//
// Helpers for rendezvous tests: a recording client observer with bounded
// waits, a raw protocol connection (the test plays a node or a hostile
// server line by line), a fake server that accepts and registers a real
// client, signed test envelopes, and leak counters.
//
//   NATFWT_ASSERT_OK_AND_ASSIGN(RawConnection raw,
//                               RawConnection::Connect(port));
//   ASSERT_THAT(raw.Register(alice, "home"), IsOk());
//   ASSERT_THAT(raw.Send("PING t\n"), IsOk());
//   EXPECT_EQ(raw.ReadLine()->substr(0, 4), "PONG");
//
// Every wait is bounded (kWait) and returns on the event, never after a
// fixed sleep.

#ifndef NATFWT_TESTS_ENGINE_RENDEZVOUS_RENDEZVOUS_TEST_SUPPORT_H_
#define NATFWT_TESTS_ENGINE_RENDEZVOUS_RENDEZVOUS_TEST_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/rendezvous/client.h"
#include "engine/rendezvous/protocol.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/rendezvous/tcp_socket.h"
#include "engine/secure/identity.h"

namespace natfwt::rendezvous::testing {

inline constexpr absl::Duration kWait = absl::Seconds(15);

secure::Identity NewIdentity();

// What a client reported, in order.
struct Recorded {
  int connected = 0;
  int disconnected = 0;
  std::vector<NodeRecord> peers;  // Every OnPeer.
  std::vector<std::string> gone;
  std::vector<Signal> signals;
  // OnPeer calls for `node_id`.
  int PeerCount(const std::string& node_id) const;
};

class RecordingObserver : public ClientObserver {
 public:
  void OnConnected() override;
  void OnDisconnected(const absl::Status& why) override;
  void OnPeer(const NodeRecord& record) override;
  void OnPeerGone(absl::string_view node_id) override;
  void OnSignal(const Signal& signal) override;

  Recorded Snapshot() const;
  // Waits until `predicate(recorded)` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const Recorded&)>& predicate,
               absl::Duration timeout = kWait) const;
  // Waits for a signal whose payload is `payload`.
  bool WaitForSignal(const std::string& payload,
                     absl::Duration timeout = kWait) const;

 private:
  mutable absl::Mutex mutex_;
  Recorded recorded_ ABSL_GUARDED_BY(mutex_);
};

// One TCP connection on loopback, read line by line with deadlines.
class RawConnection {
 public:
  static absl::StatusOr<RawConnection> Connect(uint16_t port);
  explicit RawConnection(Socket socket) : socket_(std::move(socket)) {}
  RawConnection(RawConnection&&) = default;
  RawConnection& operator=(RawConnection&&) = default;

  // Writes all of `bytes`. Errors: kAborted when the peer is gone,
  // kDeadlineExceeded.
  absl::Status Send(absl::string_view bytes, absl::Duration timeout = kWait);
  // The next line without its newline. Errors: kUnavailable when the peer
  // closed (or reset) first, kDeadlineExceeded.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout = kWait);
  absl::StatusOr<ServerMessage> ReadServerMessage(
      absl::Duration timeout = kWait);
  absl::StatusOr<ClientMessage> ReadClientMessage(
      absl::Duration timeout = kWait);
  // Reads (and drops) everything until the peer closes; false on timeout.
  bool WaitClosed(absl::Duration timeout = kWait);

  // The node side of a registration: HELLO in, REGISTER out, WELCOME in.
  // Errors: the ERR the server answered (kPermissionDenied with its text),
  // or any I/O failure.
  absl::Status Register(const secure::Identity& identity,
                        const std::string& network);
  const std::string& challenge() const { return challenge_; }

 private:
  Socket socket_;
  LineFramer framer_;
  std::string challenge_;
};

// Signed envelopes as a node would produce them.
std::string RecordEnvelope(const secure::Identity& identity,
                           const std::string& network, int64_t signed_at_ms,
                           const std::vector<std::string>& transport_ids = {});
std::string AuthEnvelope(const secure::Identity& identity,
                         const std::string& network,
                         const std::string& challenge);
std::string SignalEnvelope(const secure::Identity& from,
                           const secure::Fingerprint& to,
                           const std::string& network, const std::string& kind,
                           const std::string& payload, int64_t signed_at_ms);
std::string RegisterLine(const secure::Identity& identity,
                         const std::string& network,
                         const std::string& challenge);
std::string ServerLine(ServerVerb verb, const std::string& envelope);

// A listening socket on 127.0.0.1 that plays the server for one client.
class FakeServer {
 public:
  static absl::StatusOr<FakeServer> Listen();
  uint16_t port() const { return port_; }
  // Accepts the next connection, sends HELLO, checks the REGISTER (both
  // envelopes verify, for `network`, auth answering the challenge) and
  // sends WELCOME. `*node_id` receives the registered node ID.
  absl::StatusOr<RawConnection> AcceptAndRegister(const std::string& network,
                                                  std::string* node_id);

 private:
  Socket listener_;
  uint16_t port_ = 0;
};

// Open descriptors and threads of this process (Linux /proc).
int CountOpenFds();
int CountThreads();

}  // namespace natfwt::rendezvous::testing

#endif  // NATFWT_TESTS_ENGINE_RENDEZVOUS_RENDEZVOUS_TEST_SUPPORT_H_
