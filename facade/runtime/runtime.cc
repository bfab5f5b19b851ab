// Copyright 2026 The natfwt Authors.

#include "facade/runtime/runtime.h"

#include <algorithm>
#include <utility>

#include "facade/runtime/hresult.h"
#include "facade/runtime/instance_table.h"
#include "facade/runtime/runtime_context.h"
#include "platform/base/logging.h"

namespace natfwt::cp {
namespace {

absl::Status ValidateCallbacks(const CPNATFWT_PROVIDER_CALLBACKS& callbacks) {
  if (callbacks.version != CPNATFWT_PROVIDER_CALLBACKS_VERSION_1) {
    return HresultError(E_INVALIDARG,
                        "unknown CPNATFWT_PROVIDER_CALLBACKS version");
  }
  if (callbacks.size < sizeof(CPNATFWT_PROVIDER_CALLBACKS)) {
    return HresultError(E_INVALIDARG,
                        "CPNATFWT_PROVIDER_CALLBACKS.size too small");
  }
  if (callbacks.reserved != 0) {
    return HresultError(E_INVALIDARG,
                        "CPNATFWT_PROVIDER_CALLBACKS.reserved must be 0");
  }
  if (callbacks.establishSessionIndication == nullptr ||
      callbacks.terminateSessionIndication == nullptr ||
      callbacks.transitionActive == nullptr ||
      callbacks.addTransportId == nullptr ||
      callbacks.reachTransportId == nullptr ||
      callbacks.sendBuffers == nullptr) {
    return HresultError(E_INVALIDARG, "a required callback is NULL");
  }
  return absl::OkStatus();
}

absl::Status BadHandle() {
  return HresultError(E_INVALIDARG,
                      "invalid, stale or destroyed instance handle");
}

}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : context_(std::make_shared<RuntimeContext>(std::move(options))) {}

void Runtime::ReapZombies(bool wait) {
  std::vector<std::shared_ptr<Instance>> zombies;
  {
    absl::MutexLock lock(&context_->mutex);
    auto done = std::stable_partition(
        context_->zombies.begin(), context_->zombies.end(),
        [wait](const std::shared_ptr<Instance>& zombie) {
          return !wait && !zombie->ThreadsFinished();
        });
    zombies.assign(done, context_->zombies.end());
    context_->zombies.erase(done, context_->zombies.end());
  }
  for (const std::shared_ptr<Instance>& zombie : zombies) zombie->JoinThreads();
}

Runtime::~Runtime() {
  Shutdown();
  std::vector<std::weak_ptr<Instance>> instances;
  {
    absl::MutexLock lock(&mutex_);
    instances.swap(instances_);
  }
  for (const std::weak_ptr<Instance>& weak : instances) {
    std::shared_ptr<Instance> instance = weak.lock();
    if (instance == nullptr) continue;
    if (InstanceTable::Global().Remove(instance->handle()) != nullptr) {
      NATFWT_LOG(kWarning) << "runtime destroyed with a live instance; "
                              "destroying it";
      instance->Destroy();
    }
  }
  ReapZombies(/*wait=*/true);
}

Runtime& Runtime::Default() {
  static Runtime* runtime = new Runtime(RuntimeOptions::FromEnvironment());
  return *runtime;
}

std::shared_ptr<Instance> Runtime::Find(
    CPNATFWT_PROVIDER_INSTANCE instance) const {
  return InstanceTable::Global().Find(instance);
}

absl::Status Runtime::Create(const CPNATFWT_PROVIDER_CALLBACKS* callbacks,
                             PVOID user_context,
                             CPNATFWT_PROVIDER_INSTANCE* instance) {
  if (instance != nullptr) *instance = nullptr;
  if (callbacks == nullptr || instance == nullptr) {
    return HresultError(E_POINTER, "NULL callbacks or instance pointer");
  }
  absl::Status valid = ValidateCallbacks(*callbacks);
  if (!valid.ok()) return valid;
  auto created = std::make_shared<Instance>(context_, *callbacks, user_context);
  absl::StatusOr<CPNATFWT_PROVIDER_INSTANCE> handle =
      InstanceTable::Global().Add(created);
  if (!handle.ok()) return WithHresult(handle.status(), E_OUTOFMEMORY);
  created->set_handle(*handle);
  {
    absl::MutexLock lock(&mutex_);
    std::erase_if(instances_, [](const auto& weak) { return weak.expired(); });
    instances_.push_back(created);
  }
  *instance = *handle;
  return absl::OkStatus();
}

absl::Status Runtime::Register(CPNATFWT_PROVIDER_INSTANCE instance,
                               const WCHAR* friendly_name, IF_LUID* luid,
                               ULONG flags, const WCHAR* sddl) {
  std::shared_ptr<Instance> found = Find(instance);
  if (found == nullptr) return BadHandle();
  return found->Register(friendly_name, luid, flags, sddl);
}

absl::Status Runtime::Deregister(CPNATFWT_PROVIDER_INSTANCE instance) {
  std::shared_ptr<Instance> found = Find(instance);
  if (found == nullptr) return BadHandle();
  return found->Deregister();
}

absl::Status Runtime::Destroy(CPNATFWT_PROVIDER_INSTANCE instance) {
  std::shared_ptr<Instance> removed = InstanceTable::Global().Remove(instance);
  if (removed == nullptr) return BadHandle();
  removed->Destroy();
  ReapZombies(/*wait=*/false);
  return absl::OkStatus();
}

absl::Status Runtime::IndicateReceived(CPNATFWT_PROVIDER_INSTANCE instance,
                                       const CPNATFWT_TRANSPORT_ID* local,
                                       const CPNATFWT_TRANSPORT_ID* remote,
                                       const CPNATFWT_BUFFER* chain) {
  std::shared_ptr<Instance> found = Find(instance);
  if (found == nullptr) return BadHandle();
  return found->IndicateReceived(local, remote, chain);
}

absl::StatusOr<bool> Runtime::IndicateReceivedBuffers(
    CPNATFWT_PROVIDER_INSTANCE instance, const CPNATFWT_TRANSPORT_ID* local,
    const CPNATFWT_TRANSPORT_ID* remote, CPNATFWT_BUFFER* chain, PVOID context,
    CPNATFWT_PROVIDER_COMPLETION_ROUTINE routine) {
  std::shared_ptr<Instance> found = Find(instance);
  if (found == nullptr) return BadHandle();
  if (routine == nullptr) {
    absl::Status written = found->IndicateReceived(local, remote, chain);
    if (!written.ok()) return written;
    return false;
  }
  return found->IndicateWithCompletion(local, remote, chain, context, routine);
}

void Runtime::Shutdown() {
  std::vector<std::weak_ptr<Instance>> instances;
  {
    absl::MutexLock lock(&mutex_);
    instances = instances_;
  }
  for (const std::weak_ptr<Instance>& weak : instances) {
    if (std::shared_ptr<Instance> instance = weak.lock()) {
      instance->RequestTermination(
          CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN);
    }
  }
}

absl::StatusOr<InstanceInfo> Runtime::Describe(
    CPNATFWT_PROVIDER_INSTANCE instance) const {
  std::shared_ptr<Instance> found = Find(instance);
  if (found == nullptr) return BadHandle();
  return found->info();
}

}  // namespace natfwt::cp
