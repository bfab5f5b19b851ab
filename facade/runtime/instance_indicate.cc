// Copyright 2026 The natfwt Authors.
//
// Instance: IndicateReceivedBuffers with a completion routine (spec 4.5,
// 7.2), pended and written in batches, so that the virtual interface gets
// many packets per Write() (the Linux TUN backend coalesces a batch's UDP
// runs into GSO super-packets).
//
//   provider threads                       indicate thread ("cp-indicate")
//   ----------------                       -------------------------------
//   validate (as without a routine)        wait until something is queued
//   append {packet, chain, context,        take up to kMaxIndicateBatch
//     routine} to the bounded ring  ---->  Write() them in one call
//   wake the writer if it sleeps           complete each, in order, with no
//   return ERROR_IO_PENDING                  lock held
//
// The ring is preallocated at Register (RuntimeOptions::indicate_queue
// entries): nothing is allocated per packet. A full ring refuses the call
// with ERROR_NO_SYSTEM_RESOURCES (counted) instead of pending it. Producers
// signal the writer only when it sleeps: under load it finds the next batch
// waiting when it comes back from Write() and nobody makes a system call per
// packet.
//
// The packet stays in the provider's buffer until its completion: the CP
// owns the chain while pended (7.2). A chain of several segments is gathered
// and written at once instead (S_OK, no completion: 4.5 allows it), which
// needs no gathering buffer per pended packet.
//
// Write() results: the packets it wrote complete with S_OK; the one it
// refused with the error the synchronous path returns (kCancelled:
// ERROR_INVALID_STATE, otherwise ERROR_NO_SYSTEM_RESOURCES); the writer then
// writes the rest of the batch in a new Write(), except after kCancelled
// (the interface is closed: the session is ending), when the rest complete
// with ERROR_OPERATION_ABORTED.
//
// Teardown (spec 4.3 step 2, 6.3): when the session ends (TERMINATE starts,
// or Deregister) the ring stops accepting (later calls fail synchronously
// with ERROR_INVALID_STATE, as validation would) and the writer completes
// every queued indication with ERROR_OPERATION_ABORTED; a batch it is
// writing already finishes as written. Each completion runs exactly once.
// Deregister returns only when no completion is still to come, except when
// a completion routine calls it on the writer thread itself: the rest of
// that thread's work is completed after the routine returns.
//
// Completions run on the indicate thread, possibly before the
// IndicateReceivedBuffers call that pended them has returned (4.5 allows
// it). A routine may call IndicateReceivedBuffers (its call is queued for
// the next batch) or Deregister. Completion order is indication order for
// pended calls; calls without a routine are written on the caller's thread
// and can overtake pended ones.

#include <algorithm>
#include <utility>
#include <vector>

#include "facade/runtime/hresult.h"
#include "facade/runtime/instance.h"
#include "platform/base/thread_name.h"

namespace natfwt::cp {
namespace {

// Pended indications the writer hands to one Write() at most
// (implementation choice: larger than VirtualInterface::kBatchSize so GSO
// coalescing sees long runs, small enough that completions are not held
// back long).
constexpr size_t kMaxIndicateBatch = 256;

const HRESULT kAborted = HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED);

// The instance whose indicate thread this is (null on other threads).
thread_local const Instance* t_indicate_thread_of = nullptr;

// Refusals of the hot path, made once: copying an absl::Status does not
// allocate, making one with a message and an HRESULT does.
const absl::Status& QueueFull() {
  static const absl::Status* const status = new absl::Status(HresultError(
      HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES),
      "too many pended IndicateReceivedBuffers calls (queue full)"));
  return *status;
}

const absl::Status& SessionEnded() {
  static const absl::Status* const status = new absl::Status(
      HresultError(HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
                   "the session ended; nothing more is pended"));
  return *status;
}

}  // namespace

absl::StatusOr<bool> Instance::IndicateWithCompletion(
    const CPNATFWT_TRANSPORT_ID* local, const CPNATFWT_TRANSPORT_ID* remote,
    CPNATFWT_BUFFER* chain, PVOID context,
    CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine) {
  if (chain == nullptr || chain->next != nullptr) {
    // Several segments: gathered and written now (S_OK, no completion).
    absl::Status written = IndicateReceived(local, remote, chain);
    if (!written.ok()) return written;
    return false;
  }
  absl::Span<const uint8_t> packet;
  absl::Status status = ValidateIndication(local, remote, chain, {}, &packet);
  if (status.ok()) status = QueueIndication({packet, chain, context, routine});
  if (!status.ok()) {
    absl::MutexLock lock(&data_mutex_);
    ++stats_.indications_refused;
    return status;
  }
  return true;
}

void Instance::StartIndicateWriter() {
  {
    absl::MutexLock lock(&indicate_mutex_);
    indicate_ring_.resize(
        std::max<size_t>(context_->options.indicate_queue, 1));
    indicate_accepting_ = true;
  }
  std::shared_ptr<Instance> self = shared_from_this();
  indicate_thread_ = std::thread([self] {
    SetCurrentThreadName("cp-indicate");
    t_indicate_thread_of = self.get();
    self->IndicateLoop();
    self->threads_exited_.fetch_add(1);
  });
}

absl::Status Instance::QueueIndication(const Indication& indication) {
  bool wake = false;
  {
    absl::MutexLock lock(&indicate_mutex_);
    if (!indicate_accepting_) return SessionEnded();
    if (indicate_count_ == indicate_ring_.size()) {
      ++indicate_stats_.indicate_queue_full;
      return QueueFull();
    }
    indicate_ring_[(indicate_head_ + indicate_count_) % indicate_ring_.size()] =
        indication;
    ++indicate_count_;
    ++indicate_stats_.indications_pended;
    // Only a sleeping writer needs a signal; a busy one looks again when
    // its Write() returns.
    wake = writer_sleeping_;
    writer_sleeping_ = false;
  }
  if (wake) indicate_wake_.Signal();
  return absl::OkStatus();
}

void Instance::IndicateLoop() {
  std::vector<Indication> batch(kMaxIndicateBatch);
  std::vector<absl::Span<const uint8_t>> packets(kMaxIndicateBatch);
  for (;;) {
    bool abort = false;
    size_t count = TakeIndications(absl::MakeSpan(batch), &abort);
    if (count == 0) return;
    absl::Span<Indication> taken = absl::MakeSpan(batch.data(), count);
    if (abort) {
      for (Indication& indication : taken) indication.status = kAborted;
    } else {
      WriteIndications(taken, absl::MakeSpan(packets.data(), count));
    }
    CompleteIndications(taken);
    // Unlocking lets a waiting Deregister see that nothing is left.
    absl::MutexLock lock(&indicate_mutex_);
    indicate_in_flight_ = 0;
  }
}

size_t Instance::TakeIndications(absl::Span<Indication> batch, bool* abort) {
  absl::MutexLock lock(&indicate_mutex_);
  while (indicate_count_ == 0 && !writer_stop_) {
    writer_sleeping_ = true;
    indicate_wake_.Wait(&indicate_mutex_);
  }
  writer_sleeping_ = false;
  const size_t count = std::min(indicate_count_, batch.size());
  for (size_t i = 0; i < count; ++i) {
    batch[i] = indicate_ring_[indicate_head_];
    indicate_head_ = (indicate_head_ + 1) % indicate_ring_.size();
  }
  indicate_count_ -= count;
  indicate_in_flight_ = count;
  *abort = !indicate_accepting_;
  return count;
}

void Instance::WriteIndications(absl::Span<Indication> batch,
                                absl::Span<absl::Span<const uint8_t>> packets) {
  for (size_t i = 0; i < batch.size(); ++i) packets[i] = batch[i].packet;
  size_t done = 0;
  uint64_t writes = 0;
  while (done < batch.size()) {
    size_t written = 0;
    absl::Status status = interface_->Write(packets.subspan(done), &written);
    ++writes;
    if (status.ok()) written = batch.size() - done;
    written = std::min(written, batch.size() - done);
    for (size_t i = done; i < done + written; ++i) batch[i].status = S_OK;
    done += written;
    if (status.ok()) break;
    batch[done++].status =
        InterfaceWriteHresult(status);  // The refused packet.
    if (status.code() == absl::StatusCode::kCancelled) {
      // Closed: the session is ending, nothing more can be written.
      for (size_t i = done; i < batch.size(); ++i) batch[i].status = kAborted;
      break;
    }
  }
  absl::MutexLock lock(&indicate_mutex_);
  indicate_stats_.indicate_writes += writes;
}

void Instance::CompleteIndications(absl::Span<const Indication> batch) {
  uint64_t ok = 0;
  uint64_t aborts = 0;
  for (const Indication& indication : batch) {
    if (indication.status == S_OK) ++ok;
    if (indication.status == kAborted) ++aborts;
  }
  // Counted before the routines run: a provider that saw its completion
  // sees it counted too.
  if (ok > 0) {
    packets_indicated_.fetch_add(ok, std::memory_order_relaxed);
    NoteTraffic();
  }
  if (ok + aborts < batch.size()) {
    absl::MutexLock lock(&data_mutex_);
    stats_.indications_refused += batch.size() - ok - aborts;
  }
  if (aborts > 0) {
    absl::MutexLock lock(&indicate_mutex_);
    indicate_stats_.indications_aborted += aborts;
  }
  for (const Indication& indication : batch) {
    indication.routine(handle_, user_context_, indication.context,
                       indication.chain, indication.status);
  }
}

void Instance::AbortIndications() {
  absl::MutexLock lock(&indicate_mutex_);
  if (!indicate_accepting_) return;
  indicate_accepting_ = false;
  // A sleeping writer sleeps on: nothing is queued. A busy one aborts what
  // it takes next.
}

bool Instance::OnIndicateThread() const { return t_indicate_thread_of == this; }

void Instance::AwaitIndicationsDone() {
  if (OnIndicateThread()) return;
  absl::MutexLock lock(&indicate_mutex_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(indicate_mutex_) {
    return indicate_count_ == 0 && indicate_in_flight_ == 0;
  };
  indicate_mutex_.Await(absl::Condition(&done));
}

}  // namespace natfwt::cp
