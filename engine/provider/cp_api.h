// Copyright 2026 The natfwt Authors.
//
// CpApi: the five CPNatfwt* functions the ICE provider calls, as a table of
// cpnatfwt.h's own _FUNC types (the header's way of loading the API at run
// time). By default the table holds libcpnatfwt's exports, so the provider
// uses the Connectivity Platform exactly as a third-party provider does.
// Tests and benchmarks hand it a table of their own that routes to a
// cp::Runtime they built (in-memory interfaces, a fake clock).
//
// Thread-safety: a plain value; the functions are those of cpnatfwt.h.

#ifndef NATFWT_ENGINE_PROVIDER_CP_API_H_
#define NATFWT_ENGINE_PROVIDER_CP_API_H_

#include "cpnatfwt.h"

namespace natfwt::provider {

struct CpApi {
  CPNATFWT_CREATE_PROVIDER_INSTANCE_FUNC* create =
      &CPNatfwtCreateProviderInstance;
  CPNATFWT_REGISTER_PROVIDER_INSTANCE_FUNC* register_instance =
      &CPNatfwtRegisterProviderInstance;
  CPNATFWT_DEREGISTER_PROVIDER_INSTANCE_FUNC* deregister =
      &CPNatfwtDeregisterProviderInstance;
  CPNATFWT_DESTROY_PROVIDER_INSTANCE_FUNC* destroy =
      &CPNatfwtDestroyProviderInstance;
  CPNATFWT_INDICATE_RECEIVED_BUFFERS_FUNC* indicate =
      &CPNatfwtIndicateReceivedBuffers;
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_CP_API_H_
