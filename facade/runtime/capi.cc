// Copyright 2026 The natfwt Authors.
//
// The five exports of libcpnatfwt (spec section 2.1), each a thin wrapper
// around Runtime::Default(). No exception and no absl::Status crosses
// extern "C": every body catches everything and maps errors through
// hresult.h's one table.

#include <new>

#include "cpnatfwt.h"
#include "facade/runtime/hresult.h"
#include "facade/runtime/runtime.h"
#include "platform/base/logging.h"

// Declared again through the header's _FUNC typedefs: a signature that
// drifts from the header fails to compile here.
extern "C" {
CPNATFWT_CREATE_PROVIDER_INSTANCE_FUNC CPNatfwtCreateProviderInstance;
CPNATFWT_DEREGISTER_PROVIDER_INSTANCE_FUNC CPNatfwtDeregisterProviderInstance;
CPNATFWT_DESTROY_PROVIDER_INSTANCE_FUNC CPNatfwtDestroyProviderInstance;
CPNATFWT_INDICATE_RECEIVED_BUFFERS_FUNC CPNatfwtIndicateReceivedBuffers;
CPNATFWT_REGISTER_PROVIDER_INSTANCE_FUNC CPNatfwtRegisterProviderInstance;
}

namespace {

using natfwt::cp::Runtime;
using natfwt::cp::ToHresult;

template <typename Body>
HRESULT Guarded(const char* function, Body body) {
  try {
    absl::Status status = body();
    if (!status.ok()) {
      NATFWT_LOG(kDebug) << function << ": " << status.message();
    }
    return ToHresult(status);
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  } catch (...) {
    NATFWT_LOG(kError) << function << ": internal error";
    return E_UNEXPECTED;
  }
}

}  // namespace

extern "C" {

CPNATFWT_API HRESULT WINAPI CPNatfwtCreateProviderInstance(
    const CPNATFWT_PROVIDER_CALLBACKS* providerCallbacks,
    PVOID providerInstanceUserContext,
    CPNATFWT_PROVIDER_INSTANCE* providerInstance) {
  return Guarded("CPNatfwtCreateProviderInstance", [&] {
    return Runtime::Default().Create(
        providerCallbacks, providerInstanceUserContext, providerInstance);
  });
}

CPNATFWT_API HRESULT WINAPI CPNatfwtRegisterProviderInstance(
    CPNATFWT_PROVIDER_INSTANCE providerInstance, WCHAR* interfaceFriendlyName,
    IF_LUID* interfaceLuid, ULONG flags, WCHAR* sddl) {
  return Guarded("CPNatfwtRegisterProviderInstance", [&] {
    return Runtime::Default().Register(providerInstance, interfaceFriendlyName,
                                       interfaceLuid, flags, sddl);
  });
}

CPNATFWT_API HRESULT WINAPI CPNatfwtDeregisterProviderInstance(
    CPNATFWT_PROVIDER_INSTANCE providerInstance) {
  return Guarded("CPNatfwtDeregisterProviderInstance", [&] {
    return Runtime::Default().Deregister(providerInstance);
  });
}

CPNATFWT_API VOID WINAPI
CPNatfwtDestroyProviderInstance(CPNATFWT_PROVIDER_INSTANCE providerInstance) {
  HRESULT hr = Guarded("CPNatfwtDestroyProviderInstance", [&] {
    return Runtime::Default().Destroy(providerInstance);
  });
  if (FAILED(hr)) {
    // VOID: misuse can only be logged (spec D9).
    NATFWT_LOG(kError) << "CPNatfwtDestroyProviderInstance: invalid, stale or "
                          "already destroyed handle "
                       << static_cast<const void*>(providerInstance)
                       << " ignored";
  }
}

CPNATFWT_API HRESULT WINAPI CPNatfwtIndicateReceivedBuffers(
    CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_TRANSPORT_ID* localTransportId,
    CPNATFWT_TRANSPORT_ID* remoteTransportId, CPNATFWT_BUFFER* bufferChain,
    PVOID completionContext,
    CPNATFWT_PROVIDER_COMPLETION_ROUTINE completionRoutine) {
  // Not touched after a pended call returns: the completion may already
  // have run (spec 4.5).
  bool pended = false;
  HRESULT hr = Guarded("CPNatfwtIndicateReceivedBuffers", [&] {
    absl::StatusOr<bool> result = Runtime::Default().IndicateReceivedBuffers(
        providerInstance, localTransportId, remoteTransportId, bufferChain,
        completionContext, completionRoutine);
    if (!result.ok()) return result.status();
    pended = *result;
    return absl::OkStatus();
  });
  return hr == S_OK && pended ? natfwt::cp::kPending : hr;
}

}  // extern "C"
