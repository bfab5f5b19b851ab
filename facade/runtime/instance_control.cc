// Copyright 2026 The natfwt Authors.
//
// Instance: the control thread. Runs ESTABLISH, ADD, REMOVE, ACTIVE, DORMANT
// and TERMINATE one at a time (spec 8.3); TERMINATE preempts the queue and
// comes exactly once after a successful Register (D15).

#include <cmath>
#include <utility>

#include "facade/identity/address_plan.h"
#include "facade/runtime/hresult.h"
#include "facade/runtime/instance.h"
#include "platform/base/logging.h"

namespace natfwt::cp {

void Instance::Enqueue(ControlOp op) {
  if (termination_.has_value() || stopping_) return;
  control_queue_.push_back(std::move(op));
}

void Instance::ControlLoop() {
  for (;;) {
    ControlOp op;
    {
      absl::MutexLock lock(&mutex_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return stopping_ || !control_queue_.empty() ||
               (termination_.has_value() && !terminate_started_);
      };
      mutex_.Await(absl::Condition(&ready));
      if (termination_.has_value() && !terminate_started_) {
        op.kind = OpKind::kTerminate;
      } else if (stopping_) {
        return;
      } else {
        op = std::move(control_queue_.front());
        control_queue_.pop_front();
      }
    }
    RunControlOp(op);
  }
}

void Instance::RunControlOp(const ControlOp& op) {
  switch (op.kind) {
    case OpKind::kEstablish:
      return RunEstablish();
    case OpKind::kAdd:
      return RunAdd(op.address);
    case OpKind::kRemove:
      return RunRemove(op.address);
    case OpKind::kActivate:
      return RunActivate();
    case OpKind::kDeactivate:
      return RunDeactivate();
    case OpKind::kTerminate:
      return RunTerminate();
    case OpKind::kReach:
    case OpKind::kSend:
      break;  // Data operations never enter the control queue.
  }
}

void Instance::RunEstablish() {
  if (!BeginCallback(OpKind::kEstablish)) return;
  callbacks_.establishSessionIndication(handle_, user_context_);
  EndCallback();
  absl::MutexLock lock(&mutex_);
  established_ = true;
  if (state_ == InstanceState::kRegistered)
    SetStateLocked(InstanceState::kDormant);
  // 5.1: ADD may come before the first activation.
  for (const net::IpAddress& address : assigned_) {
    Enqueue({OpKind::kAdd, address});
  }
}

HRESULT Instance::WaitForControlCompletion(uint64_t sequence,
                                           const CallResult& call) {
  if (!call.pended) return call.status;
  absl::MutexLock lock(&mutex_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return control_result_.has_value() || stopping_ || termination_.has_value();
  };
  mutex_.Await(absl::Condition(&done));
  control_waiting_for_ = 0;
  if (control_result_.has_value()) {
    HRESULT result = *control_result_;
    control_result_.reset();
    return result;
  }
  NATFWT_LOG(kInfo) << "pended control operation " << sequence
                    << " abandoned: the session is ending";
  return HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED);
}

Instance::CallResult Instance::CallTransition(OpKind kind) {
  uint64_t sequence = BeginOp(kind);
  {
    absl::MutexLock lock(&mutex_);
    control_waiting_for_ = sequence;
    control_result_.reset();
  }
  if (!BeginCallback(kind)) {
    FinishCall(sequence, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
    return {false, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)};
  }
  auto function = kind == OpKind::kActivate ? callbacks_.transitionActive
                                            : callbacks_.transitionDormant;
  HRESULT returned = function(handle_, user_context_, ContextFor(sequence),
                              PlatformCompletionRoutine());
  EndCallback();
  CallResult call = FinishCall(sequence, returned);
  call.status = WaitForControlCompletion(sequence, call);
  call.pended = false;
  return call;
}

Instance::CallResult Instance::CallWithTransportId(
    OpKind kind, const net::IpAddress& address) {
  auto id = std::make_unique<ReachQuery>();
  std::copy(address.bytes().begin(), address.bytes().end(), id->bytes);
  id->id.size = static_cast<USHORT>(address.size());
  id->id.transportId = id->bytes;
  uint64_t sequence = BeginOp(kind, 0, address);
  {
    absl::MutexLock lock(&mutex_);
    control_waiting_for_ = sequence;
    control_result_.reset();
  }
  if (!BeginCallback(kind)) {
    FinishCall(sequence, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
    return {false, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)};
  }
  auto function = kind == OpKind::kAdd ? callbacks_.addTransportId
                                       : callbacks_.removeTransportId;
  HRESULT returned =
      function(handle_, user_context_, &id->id, ContextFor(sequence),
               PlatformCompletionRoutine());
  EndCallback();
  CallResult call = FinishCall(sequence, returned);
  if (kind == OpKind::kAdd && !call.pended) OnAddResult(address, call.status);
  bool was_pended = call.pended;
  call.status = WaitForControlCompletion(sequence, call);
  call.pended = false;
  if (was_pended &&
      call.status == HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)) {
    // Abandoned: the provider may still read the ID until it completes.
    absl::MutexLock lock(&mutex_);
    retained_ids_.push_back(std::move(id));
  }
  return call;
}

void Instance::RunAdd(const net::IpAddress& address) {
  HRESULT hr = CallWithTransportId(OpKind::kAdd, address).status;
  if (SUCCEEDED(hr)) {
    // The ID became valid in OnAddResult, when the provider answered.
    absl::MutexLock lock(&mutex_);
    add_attempts_ = 0;
    NATFWT_LOG(kInfo) << "transport ID " << address.ToString() << " added";
    return;
  }
  absl::MutexLock lock(&mutex_);
  if (termination_.has_value() || stopping_) return;
  if (hr == HRESULT_FROM_WIN32(ERROR_DUP_NAME)) {
    net::IpAddress replacement;
    absl::Status replaced = absl::OkStatus();
    if (++duplicate_addresses_ > context_->options.max_duplicate_addresses) {
      replaced = absl::ResourceExhaustedError("too many duplicate addresses");
    } else {
      mutex_.Unlock();
      replaced = ReplaceDuplicateAddress(address, &replacement);
      mutex_.Lock();
    }
    if (!replaced.ok()) {
      NATFWT_LOG(kError) << "no unique transport ID: " << replaced.message();
      RequestTerminationLocked(
          CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
      return;
    }
    Enqueue({OpKind::kAdd, replacement});
    return;
  }
  NATFWT_LOG(kWarning) << "ADD_TRANSPORT_ID " << address.ToString()
                       << " failed: " << HresultName(hr);
  if (++add_attempts_ >= context_->options.max_add_attempts) {
    RequestTerminationLocked(
        CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
    return;
  }
  std::weak_ptr<Instance> weak = weak_from_this();
  context_->clock.CallAfter(
      context_->options.activation_backoff * add_attempts_, [weak, address] {
        std::shared_ptr<Instance> self = weak.lock();
        if (self == nullptr) return;
        absl::MutexLock retry_lock(&self->mutex_);
        self->Enqueue({OpKind::kAdd, address});
      });
}

void Instance::OnAddResult(const net::IpAddress& address, HRESULT status) {
  if (FAILED(status)) return;
  {
    absl::MutexLock lock(&mutex_);
    // A late completion after the session ended adds nothing.
    if (terminate_started_) return;
  }
  {
    absl::MutexLock lock(&ids_mutex_);
    local_ids_.insert(address);
  }
  if (context_->options.observer) context_->options.observer(handle_);
}

absl::Status Instance::ReplaceDuplicateAddress(const net::IpAddress& duplicate,
                                               net::IpAddress* replacement) {
  std::vector<net::IpAddress> avoid;
  {
    absl::MutexLock lock(&mutex_);
    avoid = assigned_;
  }
  absl::StatusOr<net::IpAddress> fresh;
  {
    absl::MutexLock lock(&context_->mutex);
    if (duplicate.is_v6()) {
      fresh = RandomInterfaceAddress({duplicate, 64}, context_->random, avoid);
    } else {
      fresh = RandomIpv4Address(context_->options.overlay_v4, context_->random,
                                avoid);
    }
  }
  if (!fresh.ok()) return fresh.status();
  int length = duplicate.is_v6() ? 128 : 32;
  absl::Status removed = interface_->RemoveAddress({duplicate, length});
  if (!removed.ok()) {
    NATFWT_LOG(kWarning) << "removing duplicate " << duplicate.ToString()
                         << ": " << removed.message();
  }
  absl::Status added = interface_->AddAddress({*fresh, length});
  if (!added.ok()) return added;
  {
    absl::MutexLock lock(&mutex_);
    std::replace(assigned_.begin(), assigned_.end(), duplicate, *fresh);
  }
  absl::MutexLock lock(&context_->mutex);
  absl::StatusOr<AssociationStore*> store = context_->Store();
  if (store.ok()) {
    absl::StatusOr<AssociationRecord> record =
        (*store)->FindByLuid(association_luid_, provider_identity_);
    // FindByLuid looks at OS LUIDs first: make sure it is this record.
    if (record.ok() && record->luid == association_luid_) {
      (duplicate.is_v6() ? record->ipv6_address : *record->ipv4_address) =
          *fresh;
      (void)(*store)->Save(*record);
    }
  }
  NATFWT_LOG(kInfo) << "transport ID " << duplicate.ToString()
                    << " is taken by a peer; trying " << fresh->ToString();
  *replacement = *fresh;
  return absl::OkStatus();
}

void Instance::RunRemove(const net::IpAddress& address) {
  {
    absl::MutexLock lock(&ids_mutex_);
    local_ids_.erase(address);  // 5.6: removed whatever the provider says.
  }
  if (callbacks_.removeTransportId == nullptr) return;
  HRESULT hr = CallWithTransportId(OpKind::kRemove, address).status;
  if (FAILED(hr)) {
    NATFWT_LOG(kInfo) << "REMOVE_TRANSPORT_ID " << address.ToString()
                      << " returned " << HresultName(hr) << " (advisory)";
  }
}

void Instance::RunActivate() {
  {
    absl::MutexLock lock(&mutex_);
    if (state_ != InstanceState::kDormant || termination_.has_value()) {
      activation_queued_ = false;
      return;
    }
    SetStateLocked(InstanceState::kActivating);
  }
  HRESULT hr = CallTransition(OpKind::kActivate).status;
  bool active = false;
  {
    absl::MutexLock lock(&mutex_);
    activation_queued_ = false;
    if (termination_.has_value() || stopping_) return;
    if (SUCCEEDED(hr)) {
      SetStateLocked(InstanceState::kActive);
      activation_failures_ = 0;
      active = true;
    } else {
      SetStateLocked(InstanceState::kDormant);
      ++activation_failures_;
      activation_allowed_after_ =
          context_->clock.Now() + context_->options.activation_backoff *
                                      std::ldexp(1.0, activation_failures_ - 1);
      NATFWT_LOG(kWarning) << "TRANSITION_ACTIVE failed (" << HresultName(hr)
                           << "), failure " << activation_failures_;
      if (activation_failures_ >= context_->options.max_activation_failures) {
        RequestTerminationLocked(
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
      }
    }
  }
  if (active) NoteActivity();
  OnActivationResult(active);
}

void Instance::RunDeactivate() {
  {
    absl::MutexLock lock(&mutex_);
    deactivation_queued_ = false;
    if (state_ != InstanceState::kActive || termination_.has_value()) return;
    SetStateLocked(InstanceState::kDeactivating);
  }
  HRESULT hr = CallTransition(OpKind::kDeactivate).status;
  {
    absl::MutexLock lock(&mutex_);
    if (termination_.has_value() || stopping_) return;
    if (FAILED(hr)) {
      // 5.4: a failure is logged and the instance stays active.
      NATFWT_LOG(kWarning) << "TRANSITION_DORMANT failed: " << HresultName(hr);
      SetStateLocked(InstanceState::kActive);
      NoteActivity();
      return;
    }
    SetStateLocked(InstanceState::kDormant);
  }
  {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.deactivations;
  }
  DropSessionPackets();
  PostData({DataEvent::Kind::kReactivate, {}});
}

void Instance::RunTerminate() {
  CPNATFWT_SESSION_TERMINATION_REASON reason;
  std::vector<net::IpAddress> ids;
  {
    absl::MutexLock lock(&mutex_);
    reason = *termination_;
  }
  if (reason == CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN) {
    // 5.6: the CP withdraws its addresses before a teardown it starts.
    absl::MutexLock lock(&ids_mutex_);
    ids.assign(local_ids_.begin(), local_ids_.end());
  }
  {
    absl::MutexLock lock(&mutex_);
    terminate_started_ = true;
    if (state_ != InstanceState::kDeregistered) {
      SetStateLocked(InstanceState::kTerminating);
    }
  }
  // 6.3: the pended indications end as aborted (completed by the indicate
  // thread, possibly after TERMINATE; Deregister waits for them).
  AbortIndications();
  {
    absl::MutexLock lock(&mutex_);
    // 8.4: TERMINATE never overlaps a running SEND or REACH.
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return callbacks_in_flight_ == 0 && data_in_flight_.load() == 0;
    };
    mutex_.Await(absl::Condition(&idle));
  }
  for (const net::IpAddress& id : ids) RunRemoveDuringShutdown(id);
  {
    absl::MutexLock lock(&ids_mutex_);
    local_ids_.clear();
  }
  DropSessionPackets();
  BeginCallback(OpKind::kTerminate);
  callbacks_.terminateSessionIndication(handle_, user_context_, reason);
  EndCallback();
  absl::MutexLock lock(&mutex_);
  terminate_done_ = true;
  if (deregister_called_) SetStateLocked(InstanceState::kDeregistered);
  NATFWT_LOG(kInfo) << "session of " << kernel_name_ << " terminated (reason "
                    << static_cast<int>(reason) << ")";
}

void Instance::RunRemoveDuringShutdown(const net::IpAddress& address) {
  if (callbacks_.removeTransportId == nullptr) return;
  auto id = std::make_unique<ReachQuery>();
  std::copy(address.bytes().begin(), address.bytes().end(), id->bytes);
  id->id.size = static_cast<USHORT>(address.size());
  id->id.transportId = id->bytes;
  uint64_t sequence = BeginOp(OpKind::kRemove);
  BeginCallback(OpKind::kTerminate);  // Allowed while terminating.
  HRESULT returned = callbacks_.removeTransportId(handle_, user_context_,
                                                  &id->id, ContextFor(sequence),
                                                  PlatformCompletionRoutine());
  EndCallback();
  if (FinishCall(sequence, returned).pended) {
    // Not waited for: the result is advisory. Keep the ID readable.
    absl::MutexLock lock(&mutex_);
    retained_ids_.push_back(std::move(id));
  }
}

}  // namespace natfwt::cp
