// Copyright 2026 The natfwt Authors.
//
// IceProvider: natfwt's reference Connectivity Platform provider. It turns
// a node (engine/node: identity, rendezvous, one ICE + DTLS + AEAD session
// per peer) into a network interface, so that ping, ssh, curl or iperf3
// reach a peer behind any NAT by its transport ID.
//
// It is written against the public cpnatfwt.h only, exactly as a
// third-party provider would be (it calls the five CPNatfwt* functions
// through CpApi, libcpnatfwt's exports by default), and talks to the node
// only through the abstract node::Node.
//
//   NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<node::Node> node,
//                           node::Node::Create(node_options));
//   NATFWT_RETURN_IF_ERROR(node->Start());
//   provider::IceProviderOptions options;
//   options.friendly_name = "natfwt home";
//   NATFWT_ASSIGN_OR_RETURN(auto provider,
//                           provider::IceProvider::Start(*node, options));
//   ... provider->Status() ...
//   provider->Stop();  // TERMINATE -> Deregister -> Destroy
//   node->Stop();
//
// How every part of the spec (shared/spec/cpnatfwt-api.md) maps:
//
//   Create/Register  Start(): CPNatfwtCreateProviderInstance with a fixed
//                    providerId (kProviderId, so the CP keeps one
//                    association for natfwt), then Register with the
//                    friendly name and the LUID kept in options.luid_file
//                    (the same interface name and transport IDs come back
//                    after a restart). A stored LUID the CP no longer knows
//                    (ERROR_NOT_FOUND) or that another instance holds
//                    (ERROR_BUSY) is dropped and a new interface is asked
//                    for. Other failures Destroy the instance and return
//                    the reason (section 4.2's "give up").
//   ESTABLISH        Installs the provider as the node's PacketSink and
//                    publishes the current transport IDs (none yet).
//   ADD              Synchronous. ERROR_DUP_NAME when an allowed peer's
//                    verified record already lists the address
//                    (Node::PeerOwning); otherwise the ID is added to what
//                    the node publishes, signed, at the rendezvous
//                    (Node::SetTransportIds), and S_OK.
//   REMOVE           Synchronous: the ID is withdrawn from the rendezvous;
//                    S_OK.
//   REACH            Node::PeerOwning picks the one allowed peer whose
//                    record lists the ID; none: ERROR_HOST_UNREACHABLE at
//                    once. Otherwise ERROR_IO_PENDING and Node::Connect
//                    (an existing secure session answers at once); the
//                    completion is S_OK once the session is secure,
//                    ERROR_HOST_UNREACHABLE when it cannot be set up or no
//                    answer came within options.reach_timeout (below the
//                    CP's 30 s callback timeout, D13), and
//                    ERROR_OPERATION_ABORTED at TERMINATE. Each REACH
//                    completes exactly once; a late Connect answer is
//                    ignored.
//   SEND_BUFFERS     ERROR_IO_PENDING: the packet is queued, without a
//                    copy, to the SendPump, whose worker sends runs of
//                    consecutive packets for one peer as one
//                    Node::SendPackets batch and then completes each SEND
//                    (send_pump.h has the statuses). The destination's
//                    owner comes from the OwnerCache. Malformed chains:
//                    E_INVALIDARG at once.
//   DORMANT          Node::SetDormant(true): sessions nobody waits for are
//                    closed (their keepalives and NAT bindings end); the
//                    rendezvous registration stays, so peers still reach
//                    this node. S_OK.
//   ACTIVE           Node::SetDormant(false); sessions come back on demand
//                    (REACH). S_OK.
//   Received         Node batches (PacketSink::OnPackets, on the session's
//                    data thread) are indicated packet by packet, with the
//                    packet's destination as localTransportId and its source
//                    as remoteTransportId, only when the source transport ID
//                    belongs to the peer whose session delivered it
//                    (OwnerCache, invalidated on every changed peer record);
//                    anything else is dropped and counted. No completion
//                    routine is passed: the CP copies during the call.
//   TERMINATE        Stops the SendPump (queued SENDs complete with
//                    ERROR_OPERATION_ABORTED), aborts pending REACHes, stops
//                    indications (the node's sink is cleared, which waits
//                    for a running batch) and withdraws the transport IDs
//                    (unless options.keep_ids_at_stop and Stop() asked).
//                    After a CP-started termination (section 6.3 B) the
//                    pump's worker then calls Deregister and Destroy (never
//                    from inside TERMINATE); after Stop() (6.3 A), Stop()
//                    does. Either way Destroy runs exactly once, after every
//                    pended callback completed.
//
// Differences from the spec: none in behaviour. Two things the API cannot
// express: (1) CPNatfwtIndicateReceivedBuffers takes one IP packet per call
// (a chain is one packet, D10), so a received batch costs one call per
// packet rather than one per batch; (2) the CP issues SEND_BUFFERS one
// packet at a time and never says where its batch ends, so batching happens
// in the SendPump's queue (packets pile up while the worker sends) rather
// than per CP read.
//
// Thread-safety: Start/Stop/Status/WaitForTransportIds may be called from
// any thread (Stop from one at a time). The CP's callbacks arrive on its
// worker threads, the node's on its own; the provider never holds a lock
// while calling into the CP or the node, except that TERMINATE waits for a
// running OnPackets batch (through Node::SetPacketSink).
//
// Lifetime: the node must outlive the provider. Stop() (or the destructor)
// must run before node::Node::Stop() for the orderly teardown; the provider
// clears itself as the node's sink at TERMINATE.

#ifndef NATFWT_ENGINE_PROVIDER_ICE_PROVIDER_H_
#define NATFWT_ENGINE_PROVIDER_ICE_PROVIDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "cpnatfwt.h"
#include "engine/node/node.h"
#include "engine/provider/cp_api.h"
#include "engine/provider/indicate_slots.h"
#include "engine/provider/owner_cache.h"
#include "engine/provider/packet_addresses.h"
#include "engine/provider/send_pump.h"
#include "platform/base/clock.h"
#include "platform/net/ip_address.h"

namespace natfwt::provider {

struct ReachBook;

struct IceProviderOptions {
  // The interface's friendly name: 1 to CPNATFWT_MAX_INTERFACE_NAME_LENGTH
  // printable ASCII characters. The CP may add " #k" on a clash.
  std::string friendly_name = "natfwt";
  // Where the interface's LUID is kept between runs; empty: not kept (every
  // run gets a new interface and new transport IDs).
  std::string luid_file;
  // How long REACH waits for a secure session.
  absl::Duration reach_timeout = absl::Seconds(15);
  // Whether Stop() leaves the transport IDs published, for an owner that
  // stops the node right after (`natfwt up` shutting down): peers keep
  // them attached to this node's identity while it is offline, so when it
  // comes back with the same LUID (the same IDs) their REACH waits for it
  // and finds it at once, instead of answering "unreachable" and having
  // the CP cache that for its negative TTL (5 s). A termination the CP
  // starts always withdraws them (the node runs on without an interface).
  bool keep_ids_at_stop = false;
  SendPump::Options send;
  // REACH timers; not owned; default RealClock::Get().
  Clock* clock = nullptr;
  // The Connectivity Platform; default libcpnatfwt's exports.
  CpApi api;
};

struct ProviderCounters {
  // SEND_BUFFERS (see SendCounters).
  SendCounters send;
  uint64_t send_refused = 0;  // Answered E_INVALIDARG / no resources.
  // Received from peers.
  uint64_t packets_received = 0;
  uint64_t packets_indicated = 0;  // Accepted by the CP.
  uint64_t drops_not_owner = 0;    // Source not owned by the sending peer.
  uint64_t drops_malformed = 0;    // Not an IP packet.
  uint64_t drops_refused = 0;      // The CP refused the indication.
  uint64_t drops_no_session = 0;   // Before ESTABLISH or after TERMINATE.
  // The CP's writer held every slot for IceProvider::kSlotWait.
  uint64_t drops_backlog = 0;
  // REACH_TRANSPORT_ID.
  uint64_t reach_ok = 0;
  uint64_t reach_no_owner = 0;
  uint64_t reach_failed = 0;  // Connect() answered with an error.
  uint64_t reach_timeouts = 0;
  uint64_t reach_aborted = 0;
  uint64_t owner_lookups = 0;  // OwnerCache misses (asked the node).
};

struct IceProviderStatus {
  std::string friendly_name;   // As requested.
  std::string interface_name;  // The kernel's name; "" when unknown.
  uint64_t luid = 0;
  // "registered", "dormant", "active" or "terminated".
  std::string state;
  // Once terminated: "PROVIDER_REQUEST", "PLATFORM_SHUTDOWN", ...
  std::string termination;
  std::vector<std::string> transport_ids;  // Local ones (ADD succeeded).
  ProviderCounters counters;
};

// Spec 3.7's reason names.
absl::string_view TerminationReasonName(
    CPNATFWT_SESSION_TERMINATION_REASON reason);

class IceProvider final : public node::PacketSink {
 public:
  // The providerId natfwt's provider registers with (D7).
  static const GUID kProviderId;

  // Creates and registers the instance on `node` (started, outliving the
  // provider). Errors: kInvalidArgument (bad friendly name, or the CP
  // rejected an argument); kPermissionDenied (E_ACCESSDENIED: no right to
  // create interfaces, e.g. no CAP_NET_ADMIN); kUnavailable (no interface
  // backend, ERROR_NOT_SUPPORTED; the CP busy or not running);
  // kResourceExhausted (E_OUTOFMEMORY); kInternal for anything else. Each
  // message names the call and its HRESULT.
  static absl::StatusOr<std::unique_ptr<IceProvider>> Start(
      node::Node& node, IceProviderOptions options);

  IceProvider(const IceProvider&) = delete;
  IceProvider& operator=(const IceProvider&) = delete;
  // Stop().
  ~IceProvider() override;

  // Tears down in the spec's order: Deregister (TERMINATE(PROVIDER_REQUEST)
  // follows, unless the CP ended the session first), every pended callback
  // completed, Destroy. Returns when done. Idempotent; not from a callback.
  void Stop();

  IceProviderStatus Status() const;
  // Waits until at least one transport ID was added (or the session ended,
  // or `timeout` passed) and returns the local transport IDs.
  std::vector<std::string> WaitForTransportIds(absl::Duration timeout) const;

  // node::PacketSink (the node's threads).
  void OnPackets(absl::string_view peer,
                 absl::Span<const absl::Span<const uint8_t>> packets) override;
  void OnPeerRecordChanged(absl::string_view peer) override;

 private:
  enum class State { kCreated, kRegistered, kDormant, kActive, kTerminated };

  IceProvider(node::Node& node, IceProviderOptions options);
  absl::Status Begin();
  absl::Status Register();
  CPNATFWT_PROVIDER_CALLBACKS Callbacks() const;
  void PublishIds();
  // SendPump's exit: after a CP-started termination, Deregister + Destroy.
  void FinishAfterTermination();
  // Waits (bounded) until the CP gave back every packet lent to it.
  void WaitForLentSlots();

  // Callbacks (CP worker threads), behind the C trampolines.
  void OnEstablish();
  void OnTerminate(CPNATFWT_SESSION_TERMINATION_REASON reason);
  HRESULT OnTransition(bool active);
  HRESULT OnAdd(const CPNATFWT_TRANSPORT_ID* id);
  HRESULT OnRemove(const CPNATFWT_TRANSPORT_ID* id);
  HRESULT OnReach(const CPNATFWT_TRANSPORT_ID* id, PVOID context,
                  CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine);
  HRESULT OnSend(const CPNATFWT_TRANSPORT_ID* remote,
                 const CPNATFWT_BUFFER* chain, PVOID context,
                 CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine);

  // A packet from a peer to the CP: lent in a slot (pended), or copied.
  enum class IndicateResult { kPended, kDone, kRefused, kDropped };
  IndicateResult Indicate(const PacketAddresses& addresses,
                          absl::Span<const uint8_t> packet);
  IndicateResult IndicateCopied(const PacketAddresses& addresses,
                                absl::Span<const uint8_t> packet);
  static VOID CALLBACK IndicateDone(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                    PVOID completion, CPNATFWT_BUFFER* chain,
                                    HRESULT status);

  static IceProvider& From(PVOID context) {
    return *static_cast<IceProvider*>(context);
  }
  static VOID CALLBACK Establish(CPNATFWT_PROVIDER_INSTANCE, PVOID context);
  static VOID CALLBACK Terminate(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                 CPNATFWT_SESSION_TERMINATION_REASON reason);
  static HRESULT CALLBACK Activate(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                   PVOID, CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Deactivate(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                     PVOID,
                                     CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Add(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                              CPNATFWT_TRANSPORT_ID* id, PVOID,
                              CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Remove(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                 CPNATFWT_TRANSPORT_ID* id, PVOID,
                                 CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Reach(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                CPNATFWT_TRANSPORT_ID* id, PVOID completion,
                                CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine);
  static HRESULT CALLBACK Send(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                               CPNATFWT_TRANSPORT_ID* local,
                               CPNATFWT_TRANSPORT_ID* remote,
                               UINT64 endpoint_luid, CPNATFWT_BUFFER* chain,
                               PVOID completion,
                               CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine);

  node::Node& node_;
  const IceProviderOptions options_;
  Clock& clock_;
  CPNATFWT_PROVIDER_INSTANCE instance_ = nullptr;  // Set once in Begin().
  std::atomic<bool> receiving_{false};
  // Stop() was called (read by TERMINATE, which must not take
  // lifecycle_mutex_).
  std::atomic<bool> stop_requested_{false};
  const std::shared_ptr<ReachBook> reaches_;

  // Lifecycle: who deregisters and destroys (exactly once).
  absl::Mutex lifecycle_mutex_ ABSL_ACQUIRED_BEFORE(mutex_);
  bool registered_ ABSL_GUARDED_BY(lifecycle_mutex_) = false;
  bool destroyed_ ABSL_GUARDED_BY(lifecycle_mutex_) = false;
  bool stop_called_ ABSL_GUARDED_BY(lifecycle_mutex_) = false;

  mutable absl::Mutex mutex_;
  State state_ ABSL_GUARDED_BY(mutex_) = State::kCreated;
  std::optional<CPNATFWT_SESSION_TERMINATION_REASON> termination_
      ABSL_GUARDED_BY(mutex_);
  uint64_t luid_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<net::IpAddress> local_ids_ ABSL_GUARDED_BY(mutex_);

  std::atomic<uint64_t> reach_no_owner_{0};
  std::atomic<uint64_t> send_refused_{0};
  std::atomic<uint64_t> packets_received_{0};
  std::atomic<uint64_t> packets_indicated_{0};
  std::atomic<uint64_t> drops_not_owner_{0};
  std::atomic<uint64_t> drops_malformed_{0};
  std::atomic<uint64_t> drops_refused_{0};
  std::atomic<uint64_t> drops_no_session_{0};
  std::atomic<uint64_t> drops_backlog_{0};

  // Packets lent to the CP while their indications are pended
  // (implementation choice: the CP's queue bound, about 2 MiB).
  static constexpr size_t kIndicateSlots = 1024;
  // How long a packet from a peer waits for a slot before it is dropped
  // (implementation choice: far above a scheduling delay of the CP's
  // writer, far below anything a transport would notice as a stall).
  static constexpr absl::Duration kSlotWait = absl::Milliseconds(100);
  IndicateSlots slots_{kIndicateSlots};

  // Declared last: the pump (its worker uses everything above) goes first.
  OwnerCache owners_;
  SendPump pump_;
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_ICE_PROVIDER_H_
