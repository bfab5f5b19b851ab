// Copyright 2026 The natfwt Authors.
//
// Bookkeeping of the operations handed to the provider with a completion
// routine (spec 5.0): which are being called, which are pended, and routing
// of CPNATFWT_PLATFORM_COMPLETION_ROUTINE calls back to them.
//
// A completion context is not a pointer: it is (instance slot << 40 |
// sequence), so a completion that arrives after Destroy, twice, or for an
// operation that was never pended is recognised instead of touching freed
// memory. Sequences start at a random offset per instance, so a stale
// completion for a reused slot falls outside the new instance's range.

#include <utility>

#include "absl/random/random.h"
#include "facade/runtime/hresult.h"
#include "facade/runtime/instance.h"
#include "facade/runtime/instance_table.h"
#include "platform/base/logging.h"

namespace natfwt::cp {
namespace {

// Context layout: [instance slot: 24 bits][send flag: 1][39 bits], where the
// low 39 bits are an operation sequence, or for SEND (flag set) the packet
// buffer (16 bits) and its use counter (23 bits).
constexpr int kSequenceBits = 40;
constexpr uint64_t kSendFlag = uint64_t{1} << 39;
constexpr uint64_t kSequenceMask = kSendFlag - 1;
constexpr uint32_t kGenerationMask = (1u << 23) - 1;

// PacketSlot::send_state phases.
constexpr uint32_t kIdle = 0u << 30;
constexpr uint32_t kCalling = 1u << 30;
constexpr uint32_t kPended = 2u << 30;
constexpr uint32_t kCompletedEarly = 3u << 30;
constexpr uint32_t kPhaseMask = 3u << 30;

VOID CALLBACK PlatformCompletion(PVOID completion_context, HRESULT status) {
  uint64_t value = reinterpret_cast<uintptr_t>(completion_context);
  uint32_t slot = static_cast<uint32_t>(value >> kSequenceBits);
  std::shared_ptr<Instance> instance = InstanceTable::Global().FindBySlot(slot);
  if (instance == nullptr) {
    NATFWT_LOG(kWarning) << "completion for an unknown or destroyed instance "
                            "ignored (context "
                         << completion_context << ")";
    return;
  }
  if (value & kSendFlag) {
    instance->OnSendCompletionFromContext(value & kSequenceMask, status);
  } else {
    instance->OnCompletion(value & kSequenceMask, status);
  }
}

}  // namespace

CPNATFWT_PLATFORM_COMPLETION_ROUTINE Instance::PlatformCompletionRoutine() {
  return &PlatformCompletion;
}

uint64_t Instance::BeginOp(OpKind kind, uint32_t slot,
                           const net::IpAddress& destination) {
  absl::Time now = context_->clock.Now();
  absl::MutexLock lock(&ops_mutex_);
  uint64_t sequence = next_sequence_;
  next_sequence_ = (next_sequence_ + 1) & kSequenceMask;
  PendingOp& op = ops_[sequence];
  op.kind = kind;
  op.issued = now;
  op.slot = slot;
  op.destination = destination;
  return sequence;
}

PVOID Instance::ContextFor(uint64_t sequence) const {
  uint64_t slot = InstanceTable::SlotOf(handle_);
  return reinterpret_cast<PVOID>(
      static_cast<uintptr_t>((slot << kSequenceBits) | sequence));
}

PVOID Instance::ContextForSend(uint32_t slot, uint32_t generation) const {
  uint64_t instance_slot = InstanceTable::SlotOf(handle_);
  return reinterpret_cast<PVOID>(static_cast<uintptr_t>(
      (instance_slot << kSequenceBits) | kSendFlag | (uint64_t{slot} << 23) |
      (generation & kGenerationMask)));
}

void Instance::OnSendCompletionFromContext(uint64_t context, HRESULT status) {
  OnSendCompletion(static_cast<uint32_t>(context >> 23) & 0xffff,
                   static_cast<uint32_t>(context) & kGenerationMask, status);
}

void Instance::AfterSendCall(uint32_t slot, uint32_t generation,
                             HRESULT returned) {
  PacketSlot& packet = slots_[slot];
  if (returned == kPending) {
    uint32_t expected = kCalling | generation;
    if (packet.send_state.compare_exchange_strong(expected,
                                                  kPended | generation)) {
      // The timeout runs from the call: a callback that pends after it has
      // already passed has timed out (the periodic check may have run while
      // the callback was still running). Only this packet needs the check
      // here (the hot path: no scan of every slot per packet); the periodic
      // check covers the others.
      const int64_t limit_ns =
          absl::ToInt64Nanoseconds(context_->options.callback_timeout);
      const int64_t now_ns = absl::ToUnixNanos(context_->clock.Now());
      if (now_ns - packet.pended_at_ns.load() >= limit_ns &&
          !packet.timed_out.exchange(true)) {
        NATFWT_LOG(kWarning) << "provider did not complete a SEND within "
                             << context_->options.callback_timeout
                             << "; terminating the session";
        RequestTermination(CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT);
      }
      return;  // The completion finishes it.
    }
    // Completed before the callback returned.
    packet.send_state.store(kIdle);
    return FinishSend(slot, packet.early_status);
  }
  uint32_t previous = packet.send_state.exchange(kIdle);
  if ((previous & kPhaseMask) == kCompletedEarly) {
    ProtocolViolation("SEND completed although it was not pended", generation);
  }
  FinishSend(slot, returned);
}

void Instance::OnSendCompletion(uint32_t slot, uint32_t generation,
                                HRESULT status) {
  if (slot >= slots_.size()) {
    NATFWT_LOG(kWarning) << "completion with an unknown context ignored";
    return;
  }
  if (status == kPending) {
    ProtocolViolation("completion status was ERROR_IO_PENDING", generation);
    status = E_UNEXPECTED;
  }
  PacketSlot& packet = slots_[slot];
  uint32_t state = packet.send_state.load();
  for (;;) {
    uint32_t phase = state & kPhaseMask;
    if ((state & kGenerationMask) != generation ||
        (phase != kCalling && phase != kPended)) {
      return ProtocolViolation(
          "second completion, or completion of a SEND that was not pended",
          generation);
    }
    if (phase == kCalling) {
      packet.early_status = status;
      if (packet.send_state.compare_exchange_weak(
              state, kCompletedEarly | generation)) {
        return;
      }
      continue;  // Became pended meanwhile: finish it below.
    }
    if (packet.send_state.compare_exchange_weak(state, kIdle)) {
      return FinishSend(slot, status);
    }
  }
}

Instance::CallResult Instance::FinishCall(uint64_t sequence, HRESULT returned) {
  const char* violation = nullptr;
  CallResult result;
  bool late = false;
  {
    absl::MutexLock lock(&ops_mutex_);
    auto it = ops_.find(sequence);
    if (it == ops_.end()) return result;  // Only ever registered here.
    bool completed_early = it->second.phase == OpPhase::kCompleted;
    if (returned == kPending && !completed_early) {
      it->second.phase = OpPhase::kPended;
      result.pended = true;
      late = context_->clock.Now() - it->second.issued >=
             context_->options.callback_timeout;
    } else {
      result.status = returned == kPending ? it->second.status : returned;
      if (returned != kPending && completed_early) {
        violation =
            "completion routine called for an operation that was not pended";
      }
      ops_.erase(it);
    }
  }
  // See AfterSendCall: pended after its deadline means timed out.
  if (late) CheckTimeouts(context_->clock.Now());
  if (violation != nullptr) ProtocolViolation(violation, sequence);
  return result;
}

void Instance::OnCompletion(uint64_t sequence, HRESULT status) {
  PendingOp op;
  {
    absl::MutexLock lock(&ops_mutex_);
    auto it = ops_.find(sequence);
    if (it == ops_.end()) {
      bool ours = ((sequence - first_sequence_) & kSequenceMask) <
                  ((next_sequence_ - first_sequence_) & kSequenceMask);
      if (!ours) {
        NATFWT_LOG(kWarning) << "completion with an unknown context ignored";
        return;
      }
      ops_mutex_.Unlock();
      ProtocolViolation(
          "second completion, or completion of an operation "
          "that was not pended",
          sequence);
      ops_mutex_.Lock();
      return;
    }
    if (it->second.phase == OpPhase::kCompleted) {
      // Completed twice before the callback returned: FinishCall still
      // takes the first completion; this one breaks the protocol.
      ops_mutex_.Unlock();
      ProtocolViolation("second completion of an operation", sequence);
      ops_mutex_.Lock();
      return;
    }
    if (it->second.phase == OpPhase::kCalling) {
      // Completed before the callback returned: FinishCall takes it.
      it->second.phase = OpPhase::kCompleted;
      it->second.status = status == kPending ? E_UNEXPECTED : status;
      if (status == kPending) {
        ops_mutex_.Unlock();
        ProtocolViolation("completion status was ERROR_IO_PENDING", sequence);
        ops_mutex_.Lock();
      }
      return;
    }
    op = it->second;
    ops_.erase(it);
  }
  if (status == kPending) {
    // 5.0 rule 3: never a valid final status. The operation fails.
    status = E_UNEXPECTED;
    ProtocolViolation("completion status was ERROR_IO_PENDING", sequence);
  }
  switch (op.kind) {
    case OpKind::kReach:
      FinishReach(op.destination, status);
      break;
    default: {
      // 5.5: an added ID is valid for indications from the moment the
      // provider completes ADD with success.
      if (op.kind == OpKind::kAdd) OnAddResult(op.destination, status);
      absl::MutexLock lock(&mutex_);
      if (control_waiting_for_ == sequence) control_result_ = status;
      break;
    }
  }
}

void Instance::CheckTimeouts(absl::Time now) {
  bool expired = false;
  const int64_t now_ns = absl::ToUnixNanos(now);
  const int64_t limit_ns =
      absl::ToInt64Nanoseconds(context_->options.callback_timeout);
  for (PacketSlot& packet : slots_) {
    if ((packet.send_state.load() & kPhaseMask) == kPended &&
        now_ns - packet.pended_at_ns.load() >= limit_ns &&
        !packet.timed_out.exchange(true)) {
      expired = true;
    }
  }
  {
    absl::MutexLock lock(&ops_mutex_);
    for (auto& [sequence, op] : ops_) {
      if (op.phase == OpPhase::kPended && !op.timed_out &&
          now - op.issued >= context_->options.callback_timeout) {
        op.timed_out = true;
        expired = true;
      }
    }
  }
  if (expired) {
    NATFWT_LOG(kWarning) << "provider did not complete an operation within "
                         << context_->options.callback_timeout
                         << "; terminating the session";
    RequestTermination(CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT);
  }
}

void Instance::ProtocolViolation(const char* what, uint64_t sequence) {
  NATFWT_LOG(kError) << "provider broke the completion protocol: " << what
                     << " (operation " << sequence << "); terminating";
  RequestTermination(CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
}

}  // namespace natfwt::cp
