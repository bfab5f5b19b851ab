// Copyright 2026 The natfwt Authors.

#include "tests/facade/runtime/test_provider.h"

#include <utility>

namespace natfwt::cp::testing {
namespace {

net::IpAddress FromId(const CPNATFWT_TRANSPORT_ID* id) {
  if (id == nullptr) return {};
  absl::StatusOr<net::IpAddress> address =
      net::IpAddress::FromBytes({id->transportId, id->size});
  return address.ok() ? *address : net::IpAddress();
}

bool IsControl(Event event) {
  return event != Event::kReach && event != Event::kSend;
}

}  // namespace

const char* EventName(Event event) {
  static const char* const kNames[] = {"ESTABLISH", "TERMINATE", "ACTIVE",
                                       "DORMANT",   "ADD",       "REMOVE",
                                       "REACH",     "SEND"};
  return kNames[static_cast<int>(event)];
}

TestProvider::Behaviour TestProvider::Return(HRESULT hr) {
  return [hr](TestProvider&, const Pending&) { return hr; };
}

TestProvider::Behaviour TestProvider::Pend() {
  return [](TestProvider& provider, const Pending& pending) {
    absl::MutexLock lock(&provider.mutex_);
    provider.pending_.push_back(pending);
    return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
  };
}

TestProvider::TestProvider() {
  for (Behaviour& behaviour : behaviours_) behaviour = Return(S_OK);
}

CPNATFWT_PROVIDER_CALLBACKS TestProvider::Callbacks() const {
  CPNATFWT_PROVIDER_CALLBACKS callbacks{};
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = sizeof(callbacks);
  callbacks.providerId = provider_id_;
  callbacks.establishSessionIndication = &Establish;
  callbacks.terminateSessionIndication = &Terminate;
  callbacks.transitionActive = &Activate;
  callbacks.transitionDormant = optional_callbacks_ ? &Deactivate : nullptr;
  callbacks.addTransportId = &Add;
  callbacks.removeTransportId = optional_callbacks_ ? &Remove : nullptr;
  callbacks.reachTransportId = &Reach;
  callbacks.sendBuffers = &Send;
  return callbacks;
}

void TestProvider::SetBehaviour(Event event, Behaviour behaviour) {
  absl::MutexLock lock(&mutex_);
  behaviours_[static_cast<int>(event)] = std::move(behaviour);
}

void TestProvider::OnTerminate(
    std::function<void(CPNATFWT_PROVIDER_INSTANCE)> hook) {
  absl::MutexLock lock(&mutex_);
  on_terminate_ = std::move(hook);
}

void TestProvider::Note(const Record& record,
                        CPNATFWT_PROVIDER_INSTANCE instance, bool control) {
  absl::MutexLock lock(&mutex_);
  records_.push_back(record);
  instance_ = instance;
  if (control) {
    ++control_running_;
    max_control_running_ = std::max(max_control_running_, control_running_);
  }
}

void TestProvider::Leave(bool control) {
  absl::MutexLock lock(&mutex_);
  if (control) --control_running_;
}

HRESULT TestProvider::Dispatch(Record record, PVOID context,
                               CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine,
                               CPNATFWT_PROVIDER_INSTANCE instance) {
  bool control = IsControl(record.event);
  Note(record, instance, control);
  Behaviour behaviour;
  {
    absl::MutexLock lock(&mutex_);
    behaviour = behaviours_[static_cast<int>(record.event)];
  }
  HRESULT hr =
      behaviour(*this, {record.event, context, routine, record.address});
  Leave(control);
  return hr;
}

VOID CALLBACK TestProvider::Establish(CPNATFWT_PROVIDER_INSTANCE instance,
                                      PVOID context) {
  From(context).Dispatch({Event::kEstablish, std::this_thread::get_id()},
                         nullptr, nullptr, instance);
}

VOID CALLBACK
TestProvider::Terminate(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                        CPNATFWT_SESSION_TERMINATION_REASON reason) {
  TestProvider& self = From(context);
  Record record{Event::kTerminate, std::this_thread::get_id()};
  record.reason = reason;
  self.Note(record, instance, true);
  std::function<void(CPNATFWT_PROVIDER_INSTANCE)> hook;
  {
    absl::MutexLock lock(&self.mutex_);
    hook = self.on_terminate_;
  }
  if (hook) hook(instance);
  self.Leave(true);
}

HRESULT CALLBACK TestProvider::Activate(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context, PVOID completion,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return From(context).Dispatch({Event::kActivate, std::this_thread::get_id()},
                                completion, routine, instance);
}

HRESULT CALLBACK TestProvider::Deactivate(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context, PVOID completion,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return From(context).Dispatch(
      {Event::kDeactivate, std::this_thread::get_id()}, completion, routine,
      instance);
}

HRESULT CALLBACK
TestProvider::Add(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                  CPNATFWT_TRANSPORT_ID* id, PVOID completion,
                  CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return From(context).Dispatch(
      {Event::kAdd, std::this_thread::get_id(), FromId(id)}, completion,
      routine, instance);
}

HRESULT CALLBACK
TestProvider::Remove(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                     CPNATFWT_TRANSPORT_ID* id, PVOID completion,
                     CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return From(context).Dispatch(
      {Event::kRemove, std::this_thread::get_id(), FromId(id)}, completion,
      routine, instance);
}

HRESULT CALLBACK
TestProvider::Reach(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                    CPNATFWT_TRANSPORT_ID* id, PVOID completion,
                    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return From(context).Dispatch(
      {Event::kReach, std::this_thread::get_id(), FromId(id)}, completion,
      routine, instance);
}

HRESULT CALLBACK TestProvider::Send(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* local, CPNATFWT_TRANSPORT_ID* remote,
    UINT64 endpoint_luid, CPNATFWT_BUFFER* chain, PVOID completion,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  Record record{Event::kSend, std::this_thread::get_id(), FromId(remote)};
  record.local = FromId(local);
  record.endpoint_luid = endpoint_luid;
  for (const CPNATFWT_BUFFER* segment = chain; segment != nullptr;
       segment = segment->next) {
    record.packet.insert(record.packet.end(), segment->buffer,
                         segment->buffer + segment->size);
  }
  return From(context).Dispatch(std::move(record), completion, routine,
                                instance);
}

bool TestProvider::WaitFor(Event event, size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    size_t seen = 0;
    for (const Record& record : records_) seen += record.event == event;
    return seen >= count;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool TestProvider::TakePending(Event event, Pending* out,
                               absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto has = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    for (const Pending& pending : pending_) {
      if (pending.event == event) return true;
    }
    return false;
  };
  if (!mutex_.AwaitWithTimeout(absl::Condition(&has), timeout)) return false;
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->event == event) {
      *out = *it;
      pending_.erase(it);
      return true;
    }
  }
  return false;
}

std::vector<Record> TestProvider::Records() const {
  absl::MutexLock lock(&mutex_);
  return records_;
}

std::vector<Record> TestProvider::RecordsOf(Event event) const {
  std::vector<Record> out;
  for (const Record& record : Records()) {
    if (record.event == event) out.push_back(record);
  }
  return out;
}

size_t TestProvider::Count(Event event) const {
  return RecordsOf(event).size();
}

int TestProvider::max_concurrent_control() const {
  absl::MutexLock lock(&mutex_);
  return max_control_running_;
}

CPNATFWT_PROVIDER_INSTANCE TestProvider::instance() const {
  absl::MutexLock lock(&mutex_);
  return instance_;
}

}  // namespace natfwt::cp::testing
