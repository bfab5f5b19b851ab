// Copyright 2026 The natfwt Authors.
//
// The rendezvous server's implementation class (not a public API): the
// poll loop and connection bookkeeping live in server.cc, the message
// handlers in server_handlers.cc.
//
// Everything but the published stats and address is touched only by the
// server thread.

#ifndef NATFWT_ENGINE_RENDEZVOUS_SERVER_INTERNAL_H_
#define NATFWT_ENGINE_RENDEZVOUS_SERVER_INTERNAL_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "engine/rendezvous/host_port.h"
#include "engine/rendezvous/loop_timer.h"
#include "engine/rendezvous/protocol.h"
#include "engine/rendezvous/server.h"
#include "engine/rendezvous/tcp_socket.h"
#include "engine/rendezvous/token_bucket.h"

namespace natfwt::rendezvous::server_internal {

struct Connection {
  Connection(uint64_t id_in, Socket socket_in, std::string peer_ip_in,
             const Server::Options& options, absl::Time now);

  uint64_t id;
  Socket socket;
  std::string peer_ip;
  LineFramer framer;
  std::string output;  // Bytes queued; the first output_sent are sent.
  size_t output_sent = 0;
  absl::Time accepted_at;
  absl::Time last_received;
  std::string challenge;
  TokenBucket messages;
  TokenBucket bytes;
  TokenBucket strikes;
  // Set by a valid REGISTER.
  bool registered = false;
  std::string network;
  std::string node_id;
  std::string record;  // The record envelope, as pushed to others.
  int64_t record_signed_at_ms = 0;
  // Closed at the end of the loop iteration (after one last write).
  bool dead = false;
  bool announce_gone = true;  // False when replaced by a new registration.

  size_t pending_output() const { return output.size() - output_sent; }
};

struct Network {
  std::map<std::string, uint64_t> members;  // Node ID -> connection ID.
};

class ServerImpl final : public Server {
 public:
  ServerImpl(Options options, HostPort listen);
  ~ServerImpl() override;

  absl::Status Start() override;
  std::string local_address() const override;
  uint16_t port() const override;
  ServerStats stats() const override;
  void Stop() override;

  // ---- Message handlers (server_handlers.cc) ----
  void HandleLine(Connection& connection, const std::string& line);

 private:
  // ---- The loop (server.cc) ----
  void Run();
  void RunOnce();
  void AcceptAll(absl::Time now);
  // Counts a refused connection; FinishRefusals() tells and closes it
  // once the stats are published.
  void Refuse(Socket socket, absl::string_view why);
  void FinishRefusals();
  void ReadFrom(Connection& connection, absl::Time now);
  void Flush(Connection& connection);
  void Sweep(absl::Time now);
  void Reap();
  void Unregister(Connection& connection);
  absl::Time NextDeadline() const;
  void PublishStats();
  void CloseAll();

  // ---- Handler helpers (server_handlers.cc) ----
  bool Admit(Connection& connection, size_t line_bytes);
  void HandleRegister(Connection& connection, const ClientMessage& message);
  void HandlePublish(Connection& connection, const ClientMessage& message);
  void HandleSignal(Connection& connection, const ClientMessage& message);
  bool HasRoomFor(const Connection& connection, const std::string& network);
  void ReplaceHolder(Network& network, const std::string& node_id);
  void SendMemberList(Connection& connection);
  // Queues `line`; a connection whose queue overflows is marked dead.
  void Send(Connection& connection, const std::string& line);
  void SendError(Connection& connection, ErrorCode code,
                 absl::string_view text);
  // Sends `line` to every live member but `except`, counting each in
  // `*counter` when given.
  void Broadcast(const std::string& network, uint64_t except,
                 const std::string& line, uint64_t* counter = nullptr);
  Connection* Find(uint64_t id);

  const Options options_;
  const HostPort listen_;
  Clock* const clock_;

  mutable absl::Mutex mutex_;
  ServerStats published_ ABSL_GUARDED_BY(mutex_);
  std::string local_address_ ABSL_GUARDED_BY(mutex_);
  uint16_t port_ ABSL_GUARDED_BY(mutex_) = 0;
  bool started_ ABSL_GUARDED_BY(mutex_) = false;

  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::optional<Waker> waker_;
  std::unique_ptr<LoopTimer> timer_;
  Socket listener_;

  // Server thread only.
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  uint64_t next_id_ = 1;
  std::map<std::string, size_t> per_ip_;
  std::map<std::string, Network> networks_;
  std::vector<std::pair<Socket, std::string>> refusing_;
  ServerStats stats_;
  absl::Time listener_paused_until_ = absl::InfinitePast();
};

}  // namespace natfwt::rendezvous::server_internal

#endif  // NATFWT_ENGINE_RENDEZVOUS_SERVER_INTERNAL_H_
