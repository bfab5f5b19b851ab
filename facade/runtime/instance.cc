// Copyright 2026 The natfwt Authors.
//
// Instance: creation, registration (spec 4.2), deregistration (4.3),
// destruction (4.4), its threads (control, packet, indicate; named
// "cp-control", "cp-packet", "cp-indicate") and its periodic checks.

#include "facade/runtime/instance.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "facade/identity/address_plan.h"
#include "facade/identity/interface_name.h"
#include "facade/identity/provider_identity.h"
#include "facade/runtime/hresult.h"
#include "facade/sddl/sddl.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/base/thread_name.h"
#include "platform/firewall/owner_filter.h"

namespace natfwt::cp {
namespace {

// The innermost provider callback running on this thread, for the "called
// from inside a callback" rules of Deregister and Destroy (spec 4.3, 4.4).
thread_local const Instance* t_callback_instance = nullptr;
thread_local int t_callback_depth = 0;

constexpr uint64_t kSequenceMask = (uint64_t{1} << 39) - 1;  // pending_ops.cc

std::string LuidText(uint64_t luid) { return absl::StrFormat("0x%016x", luid); }

// Register's arguments other than the LUID, checked.
struct RegisterArguments {
  std::optional<SddlPolicy> policy;  // None: no SDDL.
  std::string friendly_name;         // UTF-8; empty: none requested.
};

// E_INVALIDARG for flags (spec D5), SDDL (D8) or a name that is not UTF-16.
absl::StatusOr<RegisterArguments> CheckRegisterArguments(
    const WCHAR* friendly_name, ULONG flags, const WCHAR* sddl) {
  if (flags != CPNATFWT_REGISTER_FLAG_NONE) {
    return HresultError(
        E_INVALIDARG, absl::StrCat("unknown registration flags 0x",
                                   absl::Hex(flags), " (spec D5: must be 0)"));
  }
  RegisterArguments arguments;
  if (sddl != nullptr) {
    absl::StatusOr<SddlPolicy> parsed = ParseSddl(sddl);
    if (!parsed.ok()) return WithHresult(parsed.status(), E_INVALIDARG);
    arguments.policy = std::move(*parsed);
  }
  if (friendly_name != nullptr) {
    bool truncated = false;
    absl::StatusOr<std::string> name = WideToUtf8(
        friendly_name, CPNATFWT_MAX_INTERFACE_NAME_LENGTH, &truncated);
    if (!name.ok()) return WithHresult(name.status(), E_INVALIDARG);
    arguments.friendly_name = std::move(*name);
  }
  return arguments;
}

absl::Status MapInterfaceError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      return WithHresult(status, E_ACCESSDENIED);
    case absl::StatusCode::kAlreadyExists:
      return WithHresult(status, HRESULT_FROM_WIN32(ERROR_BUSY));
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kNotFound:
      return WithHresult(status, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    case absl::StatusCode::kResourceExhausted:
      return WithHresult(status, E_OUTOFMEMORY);
    default:
      return WithHresult(status, HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE));
  }
}

}  // namespace

const char* InstanceStateName(InstanceState state) {
  switch (state) {
    case InstanceState::kCreated:
      return "CREATED";
    case InstanceState::kRegistered:
      return "REGISTERED";
    case InstanceState::kDormant:
      return "DORMANT";
    case InstanceState::kActivating:
      return "ACTIVATING";
    case InstanceState::kActive:
      return "ACTIVE";
    case InstanceState::kDeactivating:
      return "DEACTIVATING";
    case InstanceState::kTerminating:
      return "TERMINATING";
    case InstanceState::kDeregistered:
      return "DEREGISTERED";
    case InstanceState::kDestroyed:
      return "DESTROYED";
  }
  return "?";
}

Instance::Instance(std::shared_ptr<RuntimeContext> context,
                   const CPNATFWT_PROVIDER_CALLBACKS& callbacks,
                   PVOID user_context)
    : context_(std::move(context)),
      callbacks_(callbacks),
      user_context_(user_context),
      flow_key_([this] {
        absl::MutexLock lock(&context_->mutex);
        return absl::Uniform<uint64_t>(context_->random);
      }()),
      reach_(context_->options.reach) {
  absl::MutexLock lock(&context_->mutex);
  first_sequence_ = absl::Uniform<uint64_t>(context_->random) & kSequenceMask;
  next_sequence_ = first_sequence_;
}

Instance::~Instance() {
  // The threads hold a reference while they run: when the last reference
  // goes on one of them, it cannot join itself.
  for (std::thread* thread :
       {&control_thread_, &packet_thread_, &indicate_thread_}) {
    if (thread->joinable()) thread->detach();
  }
}

bool Instance::InCallbackOfThisInstance() const {
  return t_callback_instance == this && t_callback_depth > 0;
}

bool Instance::BeginCallback(OpKind kind) {
  absl::MutexLock lock(&mutex_);
  if (kind != OpKind::kTerminate) {
    if (termination_.has_value() || stopping_) return false;
    if ((kind == OpKind::kSend || kind == OpKind::kReach) &&
        state_ != InstanceState::kActive) {
      return false;
    }
  }
  ++callbacks_in_flight_;
  t_callback_instance = this;
  ++t_callback_depth;
  return true;
}

void Instance::EndCallback() {
  absl::MutexLock lock(&mutex_);
  --callbacks_in_flight_;
  if (--t_callback_depth == 0) t_callback_instance = nullptr;
}

bool Instance::BeginDataCallback() {
  // Announce first, then check: a terminating thread that cleared the flag
  // either sees this callback counted or this check sees the flag cleared.
  data_in_flight_.fetch_add(1);
  if (!data_callbacks_allowed_.load()) {
    EndDataCallback();
    return false;
  }
  t_callback_instance = this;
  ++t_callback_depth;
  return true;
}

void Instance::EndDataCallback() {
  if (t_callback_instance == this && t_callback_depth > 0 &&
      --t_callback_depth == 0) {
    t_callback_instance = nullptr;
  }
  if (data_in_flight_.fetch_sub(1) == 1 && !data_callbacks_allowed_.load()) {
    // Someone may wait for the packet path to be quiet: releasing mutex_
    // makes absl::Mutex re-evaluate its conditions.
    absl::MutexLock lock(&mutex_);
  }
}

void Instance::UpdateDataCallbacksAllowedLocked() {
  data_callbacks_allowed_.store(state_ == InstanceState::kActive &&
                                !termination_.has_value() && !stopping_);
}

absl::Status Instance::Register(const WCHAR* friendly_name, IF_LUID* luid,
                                ULONG flags, const WCHAR* sddl) {
  {
    absl::MutexLock lock(&mutex_);
    if (state_ != InstanceState::kCreated || registering_ || destroyed_) {
      return HresultError(
          HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
          absl::StrCat("Register in state ", InstanceStateName(state_)));
    }
    registering_ = true;
  }
  {
    absl::MutexLock lock(&mutex_);
    absl::Status status = RegisterLocked(friendly_name, luid, flags, sddl);
    registering_ = false;
    if (!status.ok()) {
      NATFWT_LOG(kInfo) << "Register failed: " << status.message();
      return status;
    }
    SetStateLocked(InstanceState::kRegistered);
    // Every output of Register is written before ESTABLISH can run.
    Enqueue({OpKind::kEstablish, {}});
  }
  StartThreads();
  return absl::OkStatus();
}

absl::Status Instance::RegisterLocked(const WCHAR* friendly_name, IF_LUID* luid,
                                      ULONG flags, const WCHAR* sddl) {
  NATFWT_ASSIGN_OR_RETURN(RegisterArguments arguments,
                          CheckRegisterArguments(friendly_name, flags, sddl));
  const std::optional<SddlPolicy>& policy = arguments.policy;
  absl::StatusOr<std::string> identity_or =
      ProviderIdentityForCaller(callbacks_.providerId);
  if (!identity_or.ok()) return MapInterfaceError(identity_or.status());
  const std::string& identity = *identity_or;
  const uint64_t requested_luid = luid != nullptr ? luid->Value : 0;

  absl::MutexLock context_lock(&context_->mutex);
  absl::StatusOr<AssociationStore*> store = context_->Store();
  if (!store.ok()) return MapInterfaceError(store.status());
  NATFWT_ASSIGN_OR_RETURN(AssociationRecord record,
                          ClaimRecord(**store, identity, requested_luid));
  ChooseFriendlyName(**store, std::move(arguments.friendly_name), record);

  absl::StatusOr<std::unique_ptr<tun::VirtualInterface>> created =
      context_->options.interface_factory(InterfaceConfigFor(record));
  if (!created.ok()) return MapInterfaceError(created.status());
  std::unique_ptr<tun::VirtualInterface> iface = std::move(*created);

  if (policy.has_value() && !policy->everyone &&
      context_->options.enforce_sddl) {
    absl::StatusOr<std::unique_ptr<firewall::OwnerFilter>> filter =
        firewall::OwnerFilter::Install(iface->name(), policy->uids,
                                       policy->gids);
    if (!filter.ok()) {
      iface->Close();
      return MapInterfaceError(filter.status());
    }
    owner_filter_ = std::shared_ptr<firewall::OwnerFilter>(std::move(*filter));
  }
  // Spec 9: where the OS has LUIDs (Windows), the interface's own is the one
  // providers see; the record keeps it so that it finds the record later.
  // Elsewhere (Linux) providers see natfwt's own.
  const uint64_t os_luid = iface->luid();
  if (os_luid != 0) record.os_luid = os_luid;
  record.kernel_name = iface->name();
  record.last_used = absl::Now();
  absl::Status saved = (*store)->Save(record);
  if (!saved.ok()) {
    NATFWT_LOG(kWarning) << "association not persisted: " << saved.message();
  }

  context_->luids_in_use.insert(record.luid);
  context_->names_in_use.insert(record.friendly_name);
  association_luid_ = record.luid;
  luid_ = os_luid != 0 ? os_luid : record.luid;
  friendly_name_ = record.friendly_name;
  kernel_name_ = iface->name();
  provider_identity_ = identity;
  assigned_ = {record.ipv6_address};
  if (context_->options.ipv4 && record.ipv4_address.has_value()) {
    assigned_.push_back(*record.ipv4_address);
  }
  interface_ = std::move(iface);
  if (luid != nullptr) luid->Value = luid_;
  if (requested_luid != 0 && requested_luid != luid_) {
    NATFWT_LOG(kInfo) << "LUID " << LuidText(requested_luid)
                      << " was requested; the interface's LUID is now "
                      << LuidText(luid_);
  }
  NATFWT_LOG(kInfo) << "registered interface " << kernel_name_ << " ('"
                    << friendly_name_ << "', LUID " << LuidText(luid_)
                    << ", association " << LuidText(association_luid_) << ")";
  return absl::OkStatus();
}

absl::StatusOr<AssociationRecord> Instance::ClaimRecord(
    AssociationStore& store, const std::string& identity,
    uint64_t requested_luid) {
  AssociationRecord record;
  if (requested_luid != 0) {
    absl::StatusOr<AssociationRecord> found =
        store.FindByLuid(requested_luid, identity);
    if (!found.ok()) {
      return WithHresult(found.status(), HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
    }
    // Keyed by the record: the provider may name it by either of its LUIDs.
    if (context_->luids_in_use.contains(found->luid)) {
      return HresultError(
          HRESULT_FROM_WIN32(ERROR_BUSY),
          "the interface is held by another registered instance");
    }
    record = std::move(*found);
  } else {
    AllocateOptions allocate;
    if (context_->options.ipv4)
      allocate.ipv4_pool = context_->options.overlay_v4;
    absl::StatusOr<AssociationRecord> allocated =
        store.Allocate(identity, context_->random, absl::Now(), allocate);
    if (!allocated.ok()) return MapInterfaceError(allocated.status());
    record = std::move(*allocated);
  }
  if (!context_->options.overlay_v6.Contains(record.ipv6_address)) {
    NATFWT_LOG(kWarning) << "association address "
                         << record.ipv6_address.ToString()
                         << " lies outside the overlay "
                         << context_->options.overlay_v6.ToString();
  }
  if (context_->options.ipv4 && !record.ipv4_address.has_value()) {
    absl::StatusOr<net::IpAddress> v4 =
        RandomIpv4Address(context_->options.overlay_v4, context_->random, {});
    if (v4.ok()) record.ipv4_address = *v4;
  }
  return record;
}

void Instance::ChooseFriendlyName(const AssociationStore& store,
                                  std::string requested,
                                  AssociationRecord& record) {
  // The requested name, else the record's, else the default; unique among
  // the system's interfaces and the live instances.
  absl::flat_hash_set<std::string> taken = context_->names_in_use;
  if (context_->options.list_aliases) {
    absl::StatusOr<std::vector<std::string>> aliases =
        context_->options.list_aliases();
    if (aliases.ok()) taken.insert(aliases->begin(), aliases->end());
  }
  absl::StatusOr<std::vector<AssociationRecord>> stored = store.Records();
  if (stored.ok()) {
    for (const AssociationRecord& other : *stored) {
      if (other.luid != record.luid) taken.insert(other.friendly_name);
    }
  }
  if (requested.empty()) requested = record.friendly_name;
  taken.erase(record.friendly_name);
  record.friendly_name = MakeUniqueFriendlyName(
      requested, taken, CPNATFWT_MAX_INTERFACE_NAME_LENGTH);
}

tun::InterfaceConfig Instance::InterfaceConfigFor(
    const AssociationRecord& record) const {
  tun::InterfaceConfig config;
  // The kernel name also fixes the interface's identity where the backend
  // derives one from it (Windows: the adapter GUID, hence its LUID).
  config.kernel_name = record.kernel_name;
  // Linux keeps at most 255 bytes of alias (IFLA_IFALIAS); the store keeps
  // the whole name.
  config.alias =
      TruncateUtf8ToBytes(record.friendly_name, kMaxLinuxIfAliasBytes);
  config.mtu = context_->options.mtu;
  config.addresses.push_back({record.ipv6_address, 128});
  config.routes.push_back(context_->options.overlay_v6.Network());
  if (context_->options.ipv4 && record.ipv4_address.has_value()) {
    config.addresses.push_back({*record.ipv4_address, 32});
    config.routes.push_back(context_->options.overlay_v4.Network());
  }
  return config;
}

void Instance::StartThreads() {
  size_t capacity = context_->options.mtu;
  // Packet buffers are named by 16 bits in SEND completion contexts.
  slots_ = std::vector<PacketSlot>(
      std::min<size_t>(context_->options.packet_buffers, 1u << 16));
  {
    absl::MutexLock lock(&data_mutex_);
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      slots_[i].data = std::make_unique<uint8_t[]>(capacity);
      free_slots_.push_back(i);
    }
  }
  NoteActivity();
  std::shared_ptr<Instance> self = shared_from_this();
  control_thread_ = std::thread([self] {
    SetCurrentThreadName("cp-control");
    self->ControlLoop();
    self->threads_exited_.fetch_add(1);
  });
  packet_thread_ = std::thread([self] {
    SetCurrentThreadName("cp-packet");
    self->PacketLoop();
    self->threads_exited_.fetch_add(1);
  });
  StartIndicateWriter();
  ScheduleTick();
}

void Instance::ScheduleTick() {
  std::weak_ptr<Instance> weak = weak_from_this();
  TimerId id = context_->clock.CallAfter(context_->options.tick, [weak] {
    if (std::shared_ptr<Instance> self = weak.lock()) self->OnTick();
  });
  absl::MutexLock lock(&mutex_);
  if (stopping_) {
    context_->clock.Cancel(id);
  } else {
    tick_timer_ = id;
  }
}

void Instance::OnTick() {
  absl::Time now = context_->clock.Now();
  CheckTimeouts(now);
  uint64_t traffic = traffic_.load(std::memory_order_relaxed);
  if (traffic != traffic_seen_) {
    traffic_seen_ = traffic;
    last_activity_ns_.store(absl::ToUnixNanos(now));
  }
  {
    absl::MutexLock lock(&mutex_);
    if (stopping_) return;
    absl::Time last = absl::FromUnixNanos(last_activity_ns_.load());
    if (state_ == InstanceState::kActive &&
        callbacks_.transitionDormant != nullptr && !deactivation_queued_ &&
        !termination_.has_value() &&
        now - last >= context_->options.idle_timeout) {
      deactivation_queued_ = true;
      Enqueue({OpKind::kDeactivate, {}});
    }
  }
  ScheduleTick();
}

void Instance::SetStateLocked(InstanceState state) {
  state_ = state;
  observed_state_.store(state);
  UpdateDataCallbacksAllowedLocked();
  if (context_->options.observer) context_->options.observer(handle_);
}

void Instance::NoteActivity() {
  last_activity_ns_.store(absl::ToUnixNanos(context_->clock.Now()));
}

void Instance::RequestTermination(CPNATFWT_SESSION_TERMINATION_REASON reason) {
  absl::MutexLock lock(&mutex_);
  RequestTerminationLocked(reason);
}

void Instance::RequestTerminationLocked(
    CPNATFWT_SESSION_TERMINATION_REASON reason) {
  if (termination_.has_value() || state_ == InstanceState::kCreated ||
      state_ == InstanceState::kDestroyed) {
    return;
  }
  termination_ = reason;
  UpdateDataCallbacksAllowedLocked();
  control_queue_.clear();  // TERMINATE preempts whatever was queued.
}

absl::Status Instance::Deregister() {
  const bool in_callback = InCallbackOfThisInstance();
  {
    absl::MutexLock lock(&mutex_);
    if (state_ == InstanceState::kCreated ||
        state_ == InstanceState::kDestroyed) {
      return HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                          "Deregister: the instance is not registered");
    }
    if (deregister_called_) {
      return HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                          "Deregister: already deregistered");
    }
    deregister_called_ = true;
    RequestTerminationLocked(CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST);
    if (!terminate_done_) SetStateLocked(InstanceState::kTerminating);
  }
  AbortIndications();   // 4.3 step 2: pended indications end as aborted...
  interface_->Close();  // 4.3 step 3: the interface goes down now.
  {
    absl::MutexLock context_lock(&context_->mutex);
    context_->luids_in_use.erase(association_luid_);
    context_->names_in_use.erase(friendly_name_);
  }
  // ...and are all completed before Deregister returns (a Write() that
  // Close() interrupted included), unless a completion routine on the
  // indicate thread called it: that thread completes the rest afterwards.
  AwaitIndicationsDone();
  absl::MutexLock lock(&mutex_);
  const int own = in_callback ? t_callback_depth : 0;
  auto quiet = [this, own,
                in_callback]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    // A callback that calls Deregister may itself be what holds TERMINATE
    // back (spec 8.4), so it waits only for the other callbacks.
    return callbacks_in_flight_ + data_in_flight_.load() - own == 0 &&
           (terminate_done_ || in_callback);
  };
  mutex_.Await(absl::Condition(&quiet));
  if (terminate_done_) SetStateLocked(InstanceState::kDeregistered);
  return absl::OkStatus();
}

void Instance::Destroy() {
  bool deregister = false;
  {
    absl::MutexLock lock(&mutex_);
    if (destroyed_) return;
    destroyed_ = true;
    deregister = state_ != InstanceState::kCreated && !deregister_called_;
  }
  if (deregister) {
    NATFWT_LOG(kWarning) << "Destroy on a registered instance: deregistering "
                            "it first (spec 4.4)";
    (void)Deregister();
  }
  StopThreads();
  owner_filter_.reset();
  absl::MutexLock lock(&mutex_);
  SetStateLocked(InstanceState::kDestroyed);
}

void Instance::StopThreads() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
    UpdateDataCallbacksAllowedLocked();
    if (tick_timer_ != 0) context_->clock.Cancel(tick_timer_);
  }
  PostData({DataEvent::Kind::kStop, {}});
  {
    // Deregister aborted the pended indications already (Destroy
    // deregisters first); the writer completes any left and returns.
    absl::MutexLock lock(&indicate_mutex_);
    indicate_accepting_ = false;
    writer_stop_ = true;
  }
  indicate_wake_.Signal();
  if (interface_ != nullptr) interface_->Close();
  // From inside a callback the freeing waits until it returns (spec 4.4):
  // the threads finish on their own and the runtime joins them later
  // (ReapZombies), so nothing here waits for the calling thread itself.
  const std::thread::id self = std::this_thread::get_id();
  if (InCallbackOfThisInstance() || self == control_thread_.get_id() ||
      self == packet_thread_.get_id() || OnIndicateThread()) {
    absl::MutexLock lock(&context_->mutex);
    context_->zombies.push_back(shared_from_this());
    return;
  }
  JoinThreads();
}

void Instance::JoinThreads() {
  for (std::thread* thread :
       {&control_thread_, &packet_thread_, &indicate_thread_}) {
    if (thread->joinable()) thread->join();
  }
}

bool Instance::ThreadsFinished() const {
  return threads_exited_.load() == (control_thread_.joinable() ? 3 : 0);
}

InstanceInfo Instance::info() const {
  InstanceInfo out;
  {
    absl::MutexLock lock(&mutex_);
    out.state = state_;
    out.luid = luid_;
    out.association_luid = association_luid_;
    out.friendly_name = friendly_name_;
    out.kernel_name = kernel_name_;
    out.termination_reason = termination_;
  }
  {
    absl::MutexLock lock(&ids_mutex_);
    out.local_ids.assign(local_ids_.begin(), local_ids_.end());
  }
  InstanceStats indicate;
  {
    absl::MutexLock lock(&indicate_mutex_);
    indicate = indicate_stats_;
  }
  absl::MutexLock lock(&data_mutex_);
  out.stats = stats_;
  out.stats.packets_indicated = packets_indicated_.load();
  out.stats.indications_pended = indicate.indications_pended;
  out.stats.indications_aborted = indicate.indications_aborted;
  out.stats.indicate_queue_full = indicate.indicate_queue_full;
  out.stats.indicate_writes = indicate.indicate_writes;
  return out;
}

}  // namespace natfwt::cp
