// Copyright 2026 The natfwt Authors.

#include "tests/engine/provider/runtime_api.h"

#include <cstdlib>

#include "facade/runtime/hresult.h"

namespace natfwt::provider::testing {
namespace {

std::atomic<RuntimeApi*> g_current{nullptr};

}  // namespace

RuntimeApi::RuntimeApi(cp::Runtime& runtime) : runtime_(runtime) {
  RuntimeApi* expected = nullptr;
  if (!g_current.compare_exchange_strong(expected, this)) std::abort();
}

RuntimeApi::~RuntimeApi() { g_current.store(nullptr); }

RuntimeApi& RuntimeApi::Current() {
  RuntimeApi* current = g_current.load();
  if (current == nullptr) std::abort();  // A provider outlived its test.
  return *current;
}

CpApi RuntimeApi::api() const {
  CpApi api;
  api.create = &Create;
  api.register_instance = &Register;
  api.deregister = &Deregister;
  api.destroy = &Destroy;
  api.indicate = &Indicate;
  return api;
}

std::vector<CPNATFWT_PROVIDER_INSTANCE> RuntimeApi::instances() const {
  absl::MutexLock lock(&mutex_);
  return instances_;
}

bool RuntimeApi::WaitForDestroys(int count, absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto ready = [&] { return destroys_.load() >= count; };
  return mutex_.AwaitWithTimeout(absl::Condition(&ready), timeout);
}

HRESULT WINAPI RuntimeApi::Create(const CPNATFWT_PROVIDER_CALLBACKS* callbacks,
                                  PVOID context,
                                  CPNATFWT_PROVIDER_INSTANCE* instance) {
  RuntimeApi& self = Current();
  self.creates_.fetch_add(1);
  HRESULT hr =
      cp::ToHresult(self.runtime_.Create(callbacks, context, instance));
  if (SUCCEEDED(hr)) {
    absl::MutexLock lock(&self.mutex_);
    self.instances_.push_back(*instance);
  }
  return hr;
}

HRESULT WINAPI RuntimeApi::Register(CPNATFWT_PROVIDER_INSTANCE instance,
                                    WCHAR* name, IF_LUID* luid, ULONG flags,
                                    WCHAR* sddl) {
  RuntimeApi& self = Current();
  self.registers_.fetch_add(1);
  HRESULT failure = self.register_failure_.load();
  if (failure != S_OK) return failure;
  return cp::ToHresult(
      self.runtime_.Register(instance, name, luid, flags, sddl));
}

HRESULT WINAPI RuntimeApi::Deregister(CPNATFWT_PROVIDER_INSTANCE instance) {
  RuntimeApi& self = Current();
  self.deregisters_.fetch_add(1);
  return cp::ToHresult(self.runtime_.Deregister(instance));
}

VOID WINAPI RuntimeApi::Destroy(CPNATFWT_PROVIDER_INSTANCE instance) {
  RuntimeApi& self = Current();
  (void)self.runtime_.Destroy(instance);
  absl::MutexLock lock(&self.mutex_);
  self.destroys_.fetch_add(1);
}

HRESULT WINAPI RuntimeApi::Indicate(
    CPNATFWT_PROVIDER_INSTANCE instance, CPNATFWT_TRANSPORT_ID* local,
    CPNATFWT_TRANSPORT_ID* remote, CPNATFWT_BUFFER* chain, PVOID context,
    CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine) {
  // As capi.cc does it.
  absl::StatusOr<bool> result = Current().runtime_.IndicateReceivedBuffers(
      instance, local, remote, chain, context, routine);
  if (!result.ok()) return cp::ToHresult(result.status());
  return *result ? cp::kPending : S_OK;
}

}  // namespace natfwt::provider::testing
