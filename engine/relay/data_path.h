// Copyright 2026 The natfwt Authors.
//
// DirectPath: the engine's own I/O on a direct UDP path to one remote
// endpoint, once libnice's selected pair has been taken over
// (/work/shared/notes/hot-path.md).
//
// A data thread owns the receive side of a UdpSocket: it blocks until the
// socket is readable, reads batches (recvmmsg, GRO when the socket has it),
// and sorts each datagram by its first byte (demux.h, RFC 7983):
//   natfwt data from the remote endpoint -> PacketTransform::OpenBatch() ->
//                                           PacketSink::OnPackets()
//   STUN from anyone                     -> the control queue, for the
//                                           engine (consent, ICE checks)
//   anything else                        -> dropped and counted
// Send() and SendInPlace() may be called from other threads: they seal the
// packets with PacketTransform::SealBatch() and write them with sendmmsg,
// coalescing equal-size runs with GSO when the socket has it.
//
// Nothing on these paths allocates, logs or builds an absl::Status per
// packet; every outcome is a counter in stats().
//
//   NATFWT_ASSIGN_OR_RETURN(auto socket, net::UdpSocket::Adopt(dup(fd)));
//   DirectPathOptions options;
//   options.remote = selected_pair_remote;
//   options.transform = &secure_channel;   // Outlives the path.
//   options.sink = &tun_writer;            // Outlives the path.
//   options.on_control = [&] { network_thread.Post(DrainStun); };
//   NATFWT_ASSIGN_OR_RETURN(auto path,
//                           DirectPath::Start(std::move(socket), options));
//   path->Send(packets);                   // From the TUN reader thread.
//   ...
//   path->Stop();                          // Joins the data thread.
//
// Thread-safety: Send(), SendInPlace(), SendControl(), DrainControl(),
// stats(), failed() and Stop() may be called from any thread, concurrently.
// The sink and on_control run on the data thread, with no lock of the path
// held (they may call any method except Stop() and the destructor). The
// destructor must not race any other call.

#ifndef NATFWT_ENGINE_RELAY_DATA_PATH_H_
#define NATFWT_ENGINE_RELAY_DATA_PATH_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "engine/relay/buffer_pool.h"
#include "engine/relay/demux.h"
#include "engine/relay/packet.h"
#include "engine/relay/path_stats.h"
#include "engine/relay/transform.h"
#include "platform/net/udp_socket.h"

namespace natfwt::relay {

// Where opened packets go.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // Called on the data thread with a batch of opened plaintext packets, in
  // arrival order. The views are valid only during the call (they point into
  // the path's receive buffers); the sink may modify the bytes in place.
  virtual void OnPackets(absl::Span<PacketSpan> packets) = 0;
};

// Decides a datagram's class; Classify (demux.h) unless replaced (tests).
using Classifier = PacketClass (*)(absl::Span<const uint8_t> datagram);

struct DirectPathOptions {
  // The remote endpoint of the selected pair: the destination of every
  // Send(), and the only source whose natfwt data is accepted. Port != 0.
  net::UdpEndpoint remote;
  // Required; not owned; must outlive the path.
  PacketTransform* transform = nullptr;
  PacketSink* sink = nullptr;
  // Optional: called on the data thread after a receive batch queued STUN
  // messages; the engine then calls DrainControl() (typically from its
  // network thread).
  absl::AnyInvocable<void()> on_control;
  Classifier classifier = &Classify;
  // Largest plaintext packet Send() accepts (1 .. 65507 - seal overhead).
  size_t max_packet_bytes = 2048;
  // Receive batch: slots per recvmmsg without GRO (each holds one sealed
  // packet), or with GRO (each 64 KiB, up to 64 datagrams). 1 .. 128.
  size_t receive_slots = 64;
  size_t gro_receive_slots = 8;
  // STUN messages held for DrainControl(); more are dropped and counted.
  size_t control_queue_depth = 32;
  // Longest STUN message kept (implementation choice: RFC 8489 section 6.1
  // keeps STUN over UDP within the path MTU, 576 bytes for IPv4 and 1280
  // for IPv6 when it is unknown). 20 .. 65536.
  size_t control_message_bytes = 1500;
};

class DirectPath {
 public:
  // Plaintext packets one SealBatch()/sendmmsg round handles; larger spans
  // go in several rounds.
  static constexpr size_t kSendChunk = 64;

  // Takes `socket` (bound, typically adopted from libnice) and starts the
  // data thread. Errors: kInvalidArgument when the socket is null,
  // transform or sink is missing, remote.port is 0, or a size option is out
  // of range; kResourceExhausted when buffers cannot be allocated. On error
  // the socket is closed.
  static absl::StatusOr<std::unique_ptr<DirectPath>> Start(
      std::unique_ptr<net::UdpSocket> socket, DirectPathOptions options);

  DirectPath(const DirectPath&) = delete;
  DirectPath& operator=(const DirectPath&) = delete;
  // Stop(), then closes the socket.
  ~DirectPath();

  // Copies each plaintext packet into a staging buffer with the transform's
  // headroom, seals and sends them in batches of kSendChunk. Blocks while
  // the socket's send buffer is full (until Stop()). Returns how many
  // packets reached the kernel; the others are counted as drops (kOversize,
  // kSealRefused, kSendError, kStopped). Packets are only read during the
  // call. Concurrent callers are serialised.
  size_t Send(absl::Span<const absl::Span<const uint8_t>> packets);

  // Zero-copy variant: seals the caller's packets in place (each needs at
  // least transform->seal_headroom()/seal_tailroom() of room, else
  // kNoRoom) and sends them. The spans are modified (they describe the
  // sealed datagrams afterwards); the caller keeps the buffers. Same return
  // and blocking as Send().
  size_t SendInPlace(absl::Span<PacketSpan> packets);

  // Sends one datagram as is (no transform), e.g. a STUN response or a
  // consent check, to `destination`. Not for the data path: builds a
  // Status. Errors: kUnavailable when the send buffer is full;
  // kFailedPrecondition after Stop(); kInvalidArgument for a refused
  // destination or an empty datagram; kInternal for other socket errors.
  absl::Status SendControl(absl::Span<const uint8_t> datagram,
                           const net::UdpEndpoint& destination);

  // Hands each queued STUN message to `handler` (oldest first, without any
  // lock of the path held), then frees it. The bytes are valid only during
  // the call. Returns how many were handled.
  size_t DrainControl(absl::FunctionRef<void(absl::Span<const uint8_t> message,
                                             const net::UdpEndpoint& source)>
                          handler);

  // Stops the data thread and makes blocked and later sends return (their
  // packets counted as kStopped). Idempotent. Must not be called from the
  // data thread (the sink or on_control).
  void Stop();

  PathStats stats() const { return counters_.Snapshot(); }
  // True when the data thread stopped on its own after a run of receive
  // errors (the socket is unusable); the engine should tear the path down.
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  const net::UdpEndpoint& remote() const { return remote_; }
  const net::UdpEndpoint& local() const { return socket_->local_address(); }
  // Whether the socket uses GSO/GRO (see net::UdpSocket).
  bool gso_enabled() const { return socket_->gso_enabled(); }
  bool gro_enabled() const { return socket_->gro_enabled(); }

 private:
  struct ControlEntry {
    BufferPool::BufferId id;
    uint32_t size;
    net::UdpEndpoint source;
  };
  // Per receive batch tallies, added to counters_ once per batch.
  struct ReceiveTally;

  DirectPath(std::unique_ptr<net::UdpSocket> socket, DirectPathOptions options);
  absl::Status Allocate();
  void Run();
  // Counts a receive error; false when the data thread should give up.
  bool TolerateReceiveError(net::IoError error, int& consecutive_errors);
  void ProcessMessages(size_t count, ReceiveTally& tally);
  void Dispatch(absl::Span<uint8_t> datagram, const net::UdpEndpoint& source,
                ReceiveTally& tally);
  void FlushOpen(ReceiveTally& tally);
  void EnqueueControl(absl::Span<const uint8_t> message,
                      const net::UdpEndpoint& source, ReceiveTally& tally);
  void Commit(const ReceiveTally& tally);
  size_t SealAndSendLocked(absl::Span<PacketSpan> packets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(send_mu_);
  size_t SendDatagramsLocked(absl::Span<const net::OutgoingDatagram> datagrams,
                             absl::Span<const size_t> plaintext_sizes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(send_mu_);

  const std::unique_ptr<net::UdpSocket> socket_;
  DirectPathOptions options_;
  const net::UdpEndpoint remote_;
  PathCounters counters_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  absl::Mutex stop_mu_;  // Serialises Stop().
  std::thread thread_;

  // Data thread only.
  std::unique_ptr<uint8_t[]> receive_storage_;
  std::vector<net::IncomingMessage> slots_;
  std::vector<PacketSpan> open_batch_;
  std::vector<Verdict> open_verdicts_;
  size_t open_count_ = 0;
  bool control_queued_ = false;  // This receive batch queued STUN.

  // Send side.
  absl::Mutex send_mu_;
  std::unique_ptr<uint8_t[]> staging_ ABSL_GUARDED_BY(send_mu_);
  size_t staging_stride_ = 0;

  // Control queue: a ring of entries whose bytes live in control_pool_.
  std::unique_ptr<BufferPool> control_pool_;
  absl::Mutex control_mu_;
  std::vector<ControlEntry> control_ring_ ABSL_GUARDED_BY(control_mu_);
  size_t control_head_ ABSL_GUARDED_BY(control_mu_) = 0;
  size_t control_count_ ABSL_GUARDED_BY(control_mu_) = 0;
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_DATA_PATH_H_
