// Copyright 2026 The natfwt Authors.
//
// Instance: one provider instance and its session, the state machine of spec
// section 6 with the threading rules of section 8.
//
// Threads of a registered instance (all "CP worker threads" of spec 8.2):
//   control  runs the serialised control callbacks (ESTABLISH, ADD, REMOVE,
//            ACTIVE, DORMANT, TERMINATE), one at a time, each finished
//            (including a pended completion) before the next starts;
//            TERMINATE preempts the queue.
//   packet   reads batches of packets from the virtual interface, resolves
//            their destinations (REACH) and hands them to the provider
//            (SEND); between reads it runs what completions posted (it is
//            woken with VirtualInterface::Interrupt()). It never blocks on
//            the provider's completions.
//   indicate writes the IndicateReceivedBuffers calls that came with a
//            completion routine and were pended: it takes every queued one
//            (up to kMaxIndicateBatch) into one VirtualInterface::Write()
//            and then calls their completion routines in order
//            (instance_indicate.cc).
// IndicateReceivedBuffers runs on the provider's thread: without a
// completion routine (or with a chain of several segments) it writes straight
// into the interface; with one it validates and queues (instance_indicate.cc).
//
// Locks: mutex_ (lifecycle and control) is taken before data_mutex_ (packet
// path); ops_mutex_ (pending operations) and indicate_mutex_ (pended
// indications) are leaves. No lock is held while a provider callback or a
// provider completion routine runs.

#ifndef NATFWT_FACADE_RUNTIME_INSTANCE_H_
#define NATFWT_FACADE_RUNTIME_INSTANCE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cpnatfwt.h"
#include "facade/runtime/reach_cache.h"
#include "facade/runtime/runtime_context.h"
#include "platform/net/ip_address.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::cp {

enum class InstanceState {
  kCreated,
  kRegistered,
  kDormant,
  kActivating,
  kActive,
  kDeactivating,
  kTerminating,
  kDeregistered,
  kDestroyed,
};
const char* InstanceStateName(InstanceState state);

// Counters of one instance; read with Instance::stats().
struct InstanceStats {
  uint64_t packets_sent = 0;          // SEND_BUFFERS accepted (sync or async)
  uint64_t packets_indicated = 0;     // IndicateReceivedBuffers written
  uint64_t send_failures = 0;         // SEND_BUFFERS failed
  uint64_t drops_malformed = 0;       // interface packets that are not IP
  uint64_t drops_foreign_source = 0;  // source is not a local transport ID
  uint64_t drops_unreachable = 0;     // REACH said no (or was refused)
  uint64_t drops_queue_overflow = 0;  // REACH / activation queues full
  uint64_t drops_no_buffer = 0;       // packet pool exhausted
  uint64_t drops_inactive = 0;        // activation failed or session ending
  uint64_t indications_refused = 0;   // IndicateReceivedBuffers errors
                                      // (returned, or completed with one)
  uint64_t indications_pended = 0;    // returned ERROR_IO_PENDING
  uint64_t indications_aborted = 0;   // pended, completed with
                                      // ERROR_OPERATION_ABORTED (teardown)
  uint64_t indicate_queue_full = 0;   // refused: pended queue full
  uint64_t indicate_writes = 0;       // the writer's Write() calls
  uint64_t reach_queries = 0;
  uint64_t activations = 0;
  uint64_t deactivations = 0;
};

// The HRESULT for an indication the interface's Write() refused, on both
// paths (written during the call, or pended): ERROR_INVALID_STATE once the
// interface is closed (kCancelled: the session is ending), otherwise
// ERROR_NO_SYSTEM_RESOURCES.
HRESULT InterfaceWriteHresult(const absl::Status& status);

// What tools and tests may see of an instance.
struct InstanceInfo {
  InstanceState state;
  // The LUID the provider was given (Register's output): the OS's LUID of
  // the interface where the backend has one (Windows), else natfwt's own.
  uint64_t luid = 0;
  // natfwt's own LUID: the key of the association record (luid.h). Equal to
  // `luid` where the OS has no LUIDs.
  uint64_t association_luid = 0;
  std::string friendly_name;
  std::string kernel_name;
  std::vector<net::IpAddress> local_ids;  // ADD succeeded, not removed
  std::optional<CPNATFWT_SESSION_TERMINATION_REASON> termination_reason;
  InstanceStats stats;
};

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  // `callbacks` were validated by the caller (Runtime::Create).
  Instance(std::shared_ptr<RuntimeContext> context,
           const CPNATFWT_PROVIDER_CALLBACKS& callbacks, PVOID user_context);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance();

  // Set once, right after the instance enters the table.
  void set_handle(CPNATFWT_PROVIDER_INSTANCE handle) { handle_ = handle; }
  CPNATFWT_PROVIDER_INSTANCE handle() const { return handle_; }

  // The spec's functions; errors carry their exact HRESULT (hresult.h).
  absl::Status Register(const WCHAR* friendly_name, IF_LUID* luid, ULONG flags,
                        const WCHAR* sddl);
  absl::Status Deregister();
  // Destroy after the handle left the table: deregisters implicitly, stops
  // the threads (waiting for running callbacks unless called from one).
  void Destroy();
  // Spec 4.5 without a completion routine: validated and written before
  // return.
  absl::Status IndicateReceived(const CPNATFWT_TRANSPORT_ID* local,
                                const CPNATFWT_TRANSPORT_ID* remote,
                                const CPNATFWT_BUFFER* chain);
  // Spec 4.5 with a completion routine (`routine` not null). One segment:
  // validated, queued for the indicate thread and true (pended) returned;
  // `routine` then gets `context` and `chain` exactly once, maybe before
  // this returns. A chain of several segments is gathered and written
  // before return: false (4.5 allows S_OK; the routine is not called).
  // Errors (the routine is never called for them): those of spec 4.5, and
  // ERROR_NO_SYSTEM_RESOURCES when the pended queue is full.
  absl::StatusOr<bool> IndicateWithCompletion(
      const CPNATFWT_TRANSPORT_ID* local, const CPNATFWT_TRANSPORT_ID* remote,
      CPNATFWT_BUFFER* chain, PVOID context,
      CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine);

  // The CP ends the session (PLATFORM_SHUTDOWN, ...). No-op when a
  // termination is already under way or the instance is not registered.
  void RequestTermination(CPNATFWT_SESSION_TERMINATION_REASON reason);

  // A provider called CPNATFWT_PLATFORM_COMPLETION_ROUTINE for operation
  // `sequence` of this instance.
  void OnCompletion(uint64_t sequence, HRESULT status);
  void OnSendCompletionFromContext(uint64_t context, HRESULT status);

  InstanceInfo info() const;

  // Joins the instance's threads (they must have been told to stop). Only
  // from a thread that is not one of them.
  void JoinThreads();
  // True when every thread of the instance has returned.
  bool ThreadsFinished() const;

 private:
  enum class OpKind : uint8_t {
    kEstablish,
    kTerminate,
    kActivate,
    kDeactivate,
    kAdd,
    kRemove,
    kReach,
    kSend
  };
  enum class OpPhase : uint8_t { kCalling, kPended, kCompleted };
  struct PendingOp {
    OpKind kind;
    OpPhase phase = OpPhase::kCalling;
    HRESULT status = S_OK;
    absl::Time issued;
    bool timed_out = false;
    uint32_t slot = 0;           // kSend: the packet buffer
    net::IpAddress destination;  // kReach
  };
  // What a provider callback did.
  struct CallResult {
    bool pended = false;  // Still outstanding; the completion comes later.
    HRESULT status = S_OK;
  };
  struct ControlOp {
    OpKind kind;
    net::IpAddress address;  // kAdd / kRemove
  };
  // One interface packet buffer; also holds the structs a pended SEND needs.
  struct PacketSlot {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    CPNATFWT_BUFFER chain{};
    CPNATFWT_TRANSPORT_ID local_id{};
    CPNATFWT_TRANSPORT_ID remote_id{};
    uint8_t local_bytes[16] = {};
    uint8_t remote_bytes[16] = {};
    net::IpAddress destination;
    uint64_t flow = 0;  // endpointLuid
    // SEND bookkeeping without a table (pending_ops.cc): phase in the top two
    // bits, a 23-bit use counter below, matched against the completion
    // context so double or stale completions are recognised.
    std::atomic<uint32_t> send_state{0};
    uint32_t send_generation = 0;  // Data thread only.
    HRESULT early_status = S_OK;   // Written before the kCompletedEarly CAS.
    std::atomic<int64_t> pended_at_ns{0};
    std::atomic<bool> timed_out{false};
  };
  // A REACH query's transport ID, valid until its completion.
  struct ReachQuery {
    uint8_t bytes[16] = {};
    CPNATFWT_TRANSPORT_ID id{};
  };
  // One pended IndicateReceivedBuffers.
  struct Indication {
    absl::Span<const uint8_t> packet;  // In the provider's chain (7.2).
    CPNATFWT_BUFFER* chain = nullptr;
    PVOID context = nullptr;
    CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine = nullptr;
    HRESULT status = S_OK;  // The writer's result.
  };
  struct DataEvent {
    enum class Kind : uint8_t { kPackets, kSendQueued, kReactivate, kStop };
    Kind kind;
    std::vector<uint32_t> slots;
  };

  // --- instance.cc: registration and teardown ---
  absl::Status RegisterLocked(const WCHAR* friendly_name, IF_LUID* luid,
                              ULONG flags, const WCHAR* sddl)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The record `requested_luid` names (ERROR_NOT_FOUND when not this
  // provider's, ERROR_BUSY when a live instance holds it), or a new one for
  // 0; with its addresses completed for the current options.
  absl::StatusOr<AssociationRecord> ClaimRecord(AssociationStore& store,
                                                const std::string& identity,
                                                uint64_t requested_luid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(context_->mutex);
  // Sets record.friendly_name: `requested`, else the record's, else the
  // default, made unique among the host's and the other records' names.
  void ChooseFriendlyName(const AssociationStore& store, std::string requested,
                          AssociationRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(context_->mutex);
  tun::InterfaceConfig InterfaceConfigFor(
      const AssociationRecord& record) const;
  void StartThreads();
  void StopThreads();
  void ScheduleTick();
  void OnTick();
  bool InCallbackOfThisInstance() const;

  // --- instance_control.cc: the control thread ---
  void ControlLoop();
  void RunControlOp(const ControlOp& op);
  void Enqueue(ControlOp op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void RunEstablish();
  void RunAdd(const net::IpAddress& address);
  void RunRemove(const net::IpAddress& address);
  void RunActivate();
  void RunDeactivate();
  void RunTerminate();
  CallResult CallTransition(OpKind kind);
  CallResult CallWithTransportId(OpKind kind, const net::IpAddress& address);
  HRESULT WaitForControlCompletion(uint64_t sequence, const CallResult& call);
  void RunRemoveDuringShutdown(const net::IpAddress& address);
  // ADD answered (synchronously or by completion): success makes the ID valid.
  void OnAddResult(const net::IpAddress& address, HRESULT status);
  bool RequestActivation();
  void SetStateLocked(InstanceState state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status ReplaceDuplicateAddress(const net::IpAddress& duplicate,
                                       net::IpAddress* replacement);
  void RequestTerminationLocked(CPNATFWT_SESSION_TERMINATION_REASON reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool BeginCallback(OpKind kind);
  void EndCallback();
  // SEND and REACH: the same rules without taking mutex_ on the packet path.
  bool BeginDataCallback();
  void EndDataCallback();
  void UpdateDataCallbacksAllowedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  // --- pending_ops.cc: operation bookkeeping ---
  static CPNATFWT_PLATFORM_COMPLETION_ROUTINE PlatformCompletionRoutine();
  uint64_t BeginOp(OpKind kind, uint32_t slot = 0,
                   const net::IpAddress& destination = {});
  CallResult FinishCall(uint64_t sequence, HRESULT returned);
  PVOID ContextFor(uint64_t sequence) const;
  PVOID ContextForSend(uint32_t slot, uint32_t generation) const;
  // A provider completed the SEND of packet buffer `slot`.
  void OnSendCompletion(uint32_t slot, uint32_t generation, HRESULT status);
  // After the SEND callback returned `returned`: pends, finishes or flags a
  // protocol violation.
  void AfterSendCall(uint32_t slot, uint32_t generation, HRESULT returned);
  void CheckTimeouts(absl::Time now);
  void ProtocolViolation(const char* what, uint64_t sequence);

  // --- instance_data.cc: the packet path ---
  void PacketLoop();
  bool TakeSlots(std::vector<uint32_t>* taken, size_t most);
  bool RunDataEvents();
  bool RunDataEvent(const DataEvent& event);
  bool DataStopping() const;
  void HandleOutbound(uint32_t slot, InstanceState state);
  void HandleWhileInactive(uint32_t slot, InstanceState state);
  void IssueReach(const net::IpAddress& destination);
  void FinishReach(const net::IpAddress& destination, HRESULT status);
  void Send(uint32_t slot);
  void FinishSend(uint32_t slot, HRESULT status);
  void ReleaseSlots(absl::Span<const uint32_t> slots);
  void PostData(DataEvent event);
  void OnActivationResult(bool active);
  void DropSessionPackets();
  bool IsLocalId(const net::IpAddress& address) const;
  // Activity for the idle timer (D14): NoteActivity() stamps the time (rare
  // events); NoteTraffic() only counts (hot paths), and the periodic tick
  // turns a changed count into a time stamp.
  void NoteActivity();
  void NoteTraffic() { traffic_.fetch_add(1, std::memory_order_relaxed); }
  absl::Status ValidateIndication(const CPNATFWT_TRANSPORT_ID* local,
                                  const CPNATFWT_TRANSPORT_ID* remote,
                                  const CPNATFWT_BUFFER* chain,
                                  absl::Span<uint8_t> scratch,
                                  absl::Span<const uint8_t>* packet);

  // --- instance_indicate.cc: pended indications and their writer ---
  void StartIndicateWriter();
  // Queues a validated indication; ERROR_NO_SYSTEM_RESOURCES when the queue
  // is full, ERROR_INVALID_STATE once the session ended.
  absl::Status QueueIndication(const Indication& indication);
  void IndicateLoop();
  // Takes up to batch.size() queued indications (blocking until there are
  // some). Returns how many; 0 when the writer must stop. *abort: they are
  // to be completed as aborted rather than written.
  size_t TakeIndications(absl::Span<Indication> batch, bool* abort);
  void WriteIndications(absl::Span<Indication> batch,
                        absl::Span<absl::Span<const uint8_t>> packets);
  void CompleteIndications(absl::Span<const Indication> batch);
  // The session ends (spec 4.3 step 2, 6.3): refuses new pended indications
  // and has the writer complete every queued one with
  // ERROR_OPERATION_ABORTED (one it is writing already finishes as
  // written). Idempotent; never waits.
  void AbortIndications();
  // Waits until every pended indication was completed, unless called on the
  // indicate thread itself (from a completion routine), which cannot wait
  // for itself. AbortIndications() first.
  void AwaitIndicationsDone();
  bool OnIndicateThread() const;

  const std::shared_ptr<RuntimeContext> context_;
  const CPNATFWT_PROVIDER_CALLBACKS callbacks_;
  const PVOID user_context_;
  CPNATFWT_PROVIDER_INSTANCE handle_ = nullptr;
  const uint64_t flow_key_;

  // Lifecycle and control.
  mutable absl::Mutex mutex_;
  InstanceState state_ ABSL_GUARDED_BY(mutex_) = InstanceState::kCreated;
  // state_ for lock-free reads on the packet path (written with state_).
  std::atomic<InstanceState> observed_state_{InstanceState::kCreated};
  bool registering_ ABSL_GUARDED_BY(mutex_) = false;
  bool deregister_called_ ABSL_GUARDED_BY(mutex_) = false;
  bool destroyed_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::optional<CPNATFWT_SESSION_TERMINATION_REASON> termination_
      ABSL_GUARDED_BY(mutex_);
  bool terminate_started_ ABSL_GUARDED_BY(mutex_) = false;
  bool terminate_done_ ABSL_GUARDED_BY(mutex_) = false;
  bool established_ ABSL_GUARDED_BY(mutex_) = false;
  int callbacks_in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  // SEND/REACH callbacks running, and whether new ones may start (ACTIVE, no
  // termination requested, not stopping). Written under mutex_.
  std::atomic<int> data_in_flight_{0};
  std::atomic<bool> data_callbacks_allowed_{false};
  std::deque<ControlOp> control_queue_ ABSL_GUARDED_BY(mutex_);
  bool activation_queued_ ABSL_GUARDED_BY(mutex_) = false;
  bool deactivation_queued_ ABSL_GUARDED_BY(mutex_) = false;
  int activation_failures_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Time activation_allowed_after_ ABSL_GUARDED_BY(mutex_);
  int add_attempts_ ABSL_GUARDED_BY(mutex_) = 0;
  int duplicate_addresses_ ABSL_GUARDED_BY(mutex_) = 0;
  // Completion of the control op the control thread waits for.
  uint64_t control_waiting_for_ ABSL_GUARDED_BY(mutex_) = 0;
  std::optional<HRESULT> control_result_ ABSL_GUARDED_BY(mutex_);
  // What the provider was given (InstanceInfo::luid) and the record's key.
  uint64_t luid_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t association_luid_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string friendly_name_ ABSL_GUARDED_BY(mutex_);
  std::string kernel_name_ ABSL_GUARDED_BY(mutex_);
  std::string provider_identity_ ABSL_GUARDED_BY(mutex_);
  std::vector<net::IpAddress> assigned_ ABSL_GUARDED_BY(mutex_);
  std::unique_ptr<tun::VirtualInterface> interface_;  // set in Register
  // Transport IDs handed to control callbacks whose completion was abandoned
  // (termination); the provider may read them until it completes.
  std::vector<std::unique_ptr<ReachQuery>> retained_ids_
      ABSL_GUARDED_BY(mutex_);
  std::shared_ptr<void> owner_filter_;  // SDDL enforcement, if any
  TimerId tick_timer_ ABSL_GUARDED_BY(mutex_) = 0;
  std::atomic<int> threads_exited_{0};
  std::thread control_thread_;
  std::thread packet_thread_;
  std::thread indicate_thread_;

  // Local transport IDs whose ADD succeeded (read on every indication).
  mutable absl::Mutex ids_mutex_;
  absl::flat_hash_set<net::IpAddress> local_ids_ ABSL_GUARDED_BY(ids_mutex_);

  // Packet path.
  mutable absl::Mutex data_mutex_ ABSL_ACQUIRED_AFTER(mutex_);
  std::vector<PacketSlot> slots_;  // fixed after Register
  std::vector<uint32_t> free_slots_ ABSL_GUARDED_BY(data_mutex_);
  ReachCache reach_ ABSL_GUARDED_BY(data_mutex_);
  absl::flat_hash_map<net::IpAddress, std::unique_ptr<ReachQuery>>
      reach_queries_ ABSL_GUARDED_BY(data_mutex_);
  std::deque<uint32_t> waiting_for_activation_ ABSL_GUARDED_BY(data_mutex_);
  std::deque<uint32_t> ready_to_send_ ABSL_GUARDED_BY(data_mutex_);
  std::deque<DataEvent> data_events_ ABSL_GUARDED_BY(data_mutex_);
  bool data_stopping_ ABSL_GUARDED_BY(data_mutex_) = false;
  InstanceStats stats_ ABSL_GUARDED_BY(data_mutex_);
  std::atomic<int64_t> last_activity_ns_{0};
  std::atomic<uint64_t> traffic_{0};
  uint64_t traffic_seen_ = 0;  // Tick only.
  std::atomic<uint64_t> packets_indicated_{0};

  // Pended indications: a bounded ring (fixed at Register) that producers
  // append to and the indicate thread takes from.
  mutable absl::Mutex indicate_mutex_;
  absl::CondVar indicate_wake_;  // The writer sleeps on it.
  std::vector<Indication> indicate_ring_ ABSL_GUARDED_BY(indicate_mutex_);
  size_t indicate_head_ ABSL_GUARDED_BY(indicate_mutex_) = 0;
  size_t indicate_count_ ABSL_GUARDED_BY(indicate_mutex_) = 0;
  // Taken by the writer and not all completed yet.
  size_t indicate_in_flight_ ABSL_GUARDED_BY(indicate_mutex_) = 0;
  // New pended indications accepted (from Register until the session ends).
  bool indicate_accepting_ ABSL_GUARDED_BY(indicate_mutex_) = false;
  bool writer_sleeping_ ABSL_GUARDED_BY(indicate_mutex_) = false;
  bool writer_stop_ ABSL_GUARDED_BY(indicate_mutex_) = false;
  InstanceStats indicate_stats_ ABSL_GUARDED_BY(indicate_mutex_);

  // Pending operations (completion routing).
  mutable absl::Mutex ops_mutex_;
  uint64_t first_sequence_ ABSL_GUARDED_BY(ops_mutex_) = 0;
  uint64_t next_sequence_ ABSL_GUARDED_BY(ops_mutex_) = 0;
  absl::flat_hash_map<uint64_t, PendingOp> ops_ ABSL_GUARDED_BY(ops_mutex_);
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_INSTANCE_H_
