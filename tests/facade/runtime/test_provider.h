// Copyright 2026 The natfwt Authors.
//
// TestProvider: a provider for runtime tests. It records every callback (with
// its thread), answers each kind as the test scripts it (a synchronous
// HRESULT, or pending with the completion kept for the test to call), and
// lets the test wait for events without sleeping.

#ifndef NATFWT_TESTS_FACADE_RUNTIME_TEST_PROVIDER_H_
#define NATFWT_TESTS_FACADE_RUNTIME_TEST_PROVIDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cpnatfwt.h"
#include "platform/net/ip_address.h"

namespace natfwt::cp::testing {

enum class Event {
  kEstablish,
  kTerminate,
  kActivate,
  kDeactivate,
  kAdd,
  kRemove,
  kReach,
  kSend,
};
const char* EventName(Event event);

struct Record {
  Record(Event e, std::thread::id t, net::IpAddress a = {})
      : event(e), thread(t), address(a) {}
  Event event;
  std::thread::id thread;
  net::IpAddress address;       // ADD/REMOVE/REACH: the ID; SEND: the remote ID
  net::IpAddress local;         // SEND: the local ID
  std::vector<uint8_t> packet;  // SEND: the gathered chain
  uint64_t endpoint_luid = 0;
  CPNATFWT_SESSION_TERMINATION_REASON reason{};
};

// A completion the provider kept after returning pending.
struct Pending {
  Event event;
  PVOID context;
  CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine;
  net::IpAddress address;
  void Complete(HRESULT status) const { routine(context, status); }
};

class TestProvider {
 public:
  // What a callback of one kind does. Runs on the callback's thread after
  // the record is stored; returns the callback's HRESULT.
  using Behaviour = std::function<HRESULT(TestProvider&, const Pending&)>;

  static Behaviour Return(HRESULT hr);
  // Returns ERROR_IO_PENDING and keeps the completion (TakePending).
  static Behaviour Pend();

  TestProvider();

  // The callback table, with providerId `id` (all-zero by default).
  CPNATFWT_PROVIDER_CALLBACKS Callbacks() const;
  void set_provider_id(const GUID& id) { provider_id_ = id; }
  void set_without_optional_callbacks() { optional_callbacks_ = false; }

  void SetBehaviour(Event event, Behaviour behaviour);
  // Runs inside the TERMINATE callback (e.g. to call Deregister there).
  void OnTerminate(std::function<void(CPNATFWT_PROVIDER_INSTANCE)> hook);

  // Waits (bounded by `timeout`, real time) until `count` records of `event`
  // exist. Returns false on timeout.
  bool WaitFor(Event event, size_t count = 1,
               absl::Duration timeout = absl::Seconds(10));
  // Waits until a pended completion of `event` is available and takes it.
  bool TakePending(Event event, Pending* out,
                   absl::Duration timeout = absl::Seconds(10));

  std::vector<Record> Records() const;
  std::vector<Record> RecordsOf(Event event) const;
  size_t Count(Event event) const;
  // Most control callbacks ever running at once (must stay <= 1, spec 8.3).
  int max_concurrent_control() const;

  CPNATFWT_PROVIDER_INSTANCE instance() const;

 private:
  static TestProvider& From(PVOID context) {
    return *static_cast<TestProvider*>(context);
  }
  HRESULT Dispatch(Record record, PVOID context,
                   CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine,
                   CPNATFWT_PROVIDER_INSTANCE instance);
  void Note(const Record& record, CPNATFWT_PROVIDER_INSTANCE instance,
            bool control);
  void Leave(bool control);

  static VOID CALLBACK Establish(CPNATFWT_PROVIDER_INSTANCE, PVOID);
  static VOID CALLBACK Terminate(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                                 CPNATFWT_SESSION_TERMINATION_REASON);
  static HRESULT CALLBACK Activate(CPNATFWT_PROVIDER_INSTANCE, PVOID, PVOID,
                                   CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Deactivate(CPNATFWT_PROVIDER_INSTANCE, PVOID, PVOID,
                                     CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Add(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                              CPNATFWT_TRANSPORT_ID*, PVOID,
                              CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Remove(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                                 CPNATFWT_TRANSPORT_ID*, PVOID,
                                 CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Reach(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                                CPNATFWT_TRANSPORT_ID*, PVOID,
                                CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  static HRESULT CALLBACK Send(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                               CPNATFWT_TRANSPORT_ID*, CPNATFWT_TRANSPORT_ID*,
                               UINT64, CPNATFWT_BUFFER*, PVOID,
                               CPNATFWT_PLATFORM_COMPLETION_ROUTINE);

  GUID provider_id_{};
  bool optional_callbacks_ = true;
  mutable absl::Mutex mutex_;
  std::vector<Record> records_ ABSL_GUARDED_BY(mutex_);
  std::vector<Pending> pending_ ABSL_GUARDED_BY(mutex_);
  Behaviour behaviours_[8] ABSL_GUARDED_BY(mutex_);
  std::function<void(CPNATFWT_PROVIDER_INSTANCE)> on_terminate_
      ABSL_GUARDED_BY(mutex_);
  int control_running_ ABSL_GUARDED_BY(mutex_) = 0;
  int max_control_running_ ABSL_GUARDED_BY(mutex_) = 0;
  CPNATFWT_PROVIDER_INSTANCE instance_ ABSL_GUARDED_BY(mutex_) = nullptr;
};

}  // namespace natfwt::cp::testing

#endif  // NATFWT_TESTS_FACADE_RUNTIME_TEST_PROVIDER_H_
