// Copyright 2026 The natfwt Authors.
//
// IceProvider: the C callbacks the CP calls (cpnatfwt.h's function pointer
// types). Each forwards to the provider named by its context; nothing
// thrown may cross back into the CP, so each body is guarded.

#include <new>

#include "engine/provider/ice_provider.h"
#include "platform/base/logging.h"

namespace natfwt::provider {
namespace {

template <typename Body>
HRESULT Guarded(const char* callback, Body body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return E_OUTOFMEMORY;
  } catch (...) {
    NATFWT_LOG(kError) << callback << ": internal error";
    return E_UNEXPECTED;
  }
}

template <typename Body>
void GuardedVoid(const char* callback, Body body) noexcept {
  try {
    body();
  } catch (...) {
    NATFWT_LOG(kError) << callback << ": internal error";
  }
}

}  // namespace

VOID CALLBACK IceProvider::Establish(CPNATFWT_PROVIDER_INSTANCE,
                                     PVOID context) {
  GuardedVoid("ESTABLISH", [&] { From(context).OnEstablish(); });
}

VOID CALLBACK
IceProvider::Terminate(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                       CPNATFWT_SESSION_TERMINATION_REASON reason) {
  GuardedVoid("TERMINATE", [&] { From(context).OnTerminate(reason); });
}

HRESULT CALLBACK IceProvider::Activate(CPNATFWT_PROVIDER_INSTANCE,
                                       PVOID context, PVOID,
                                       CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return Guarded("TRANSITION_ACTIVE",
                 [&] { return From(context).OnTransition(true); });
}

HRESULT CALLBACK IceProvider::Deactivate(CPNATFWT_PROVIDER_INSTANCE,
                                         PVOID context, PVOID,
                                         CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return Guarded("TRANSITION_DORMANT",
                 [&] { return From(context).OnTransition(false); });
}

HRESULT CALLBACK IceProvider::Add(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                  CPNATFWT_TRANSPORT_ID* id, PVOID,
                                  CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return Guarded("ADD_TRANSPORT_ID", [&] { return From(context).OnAdd(id); });
}

HRESULT CALLBACK IceProvider::Remove(CPNATFWT_PROVIDER_INSTANCE, PVOID context,
                                     CPNATFWT_TRANSPORT_ID* id, PVOID,
                                     CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return Guarded("REMOVE_TRANSPORT_ID",
                 [&] { return From(context).OnRemove(id); });
}

HRESULT CALLBACK IceProvider::Reach(
    CPNATFWT_PROVIDER_INSTANCE, PVOID context, CPNATFWT_TRANSPORT_ID* id,
    PVOID completion, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  return Guarded("REACH_TRANSPORT_ID", [&] {
    return From(context).OnReach(id, completion, routine);
  });
}

HRESULT CALLBACK IceProvider::Send(
    CPNATFWT_PROVIDER_INSTANCE, PVOID context, CPNATFWT_TRANSPORT_ID* /*local*/,
    CPNATFWT_TRANSPORT_ID* remote, UINT64 /*endpoint_luid*/,
    CPNATFWT_BUFFER* chain, PVOID completion,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  // endpointLuid is not needed: one FIFO queue keeps every flow in order.
  return Guarded("SEND_BUFFERS", [&] {
    return From(context).OnSend(remote, chain, completion, routine);
  });
}

}  // namespace natfwt::provider
