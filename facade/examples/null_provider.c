/* Copyright 2026 The natfwt Authors.
 *
 * null_provider: the smallest useful CPNatfwt provider. Every destination is
 * reachable (REACH_TRANSPORT_ID answers S_OK) and every packet is dropped
 * (SEND_BUFFERS answers S_OK and counts it). It measures the CP runtime
 * alone: whatever an application sends into the interface goes through the
 * whole outbound path (activation, REACH, SEND) and ends here.
 *
 *   null_provider --duration 10 --name "bench"
 *   ping -c 3 fd00::1      # from another shell: counted, never answered
 *
 * Output: key=value lines (luid=, transport_id=, session=, terminated=) and,
 * at exit, reach_queries=, packets_dropped=, bytes_dropped=.
 * Exit status: 0 after --duration or SIGINT/SIGTERM, 1 on failure or when the
 * CP ends the session, 2 for a bad command line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpnatfwt.h"
#include "example_common.h"
#include "example_os.h"

enum { kWaitStepMs = 100 };

typedef struct NullProvider {
  ExampleMutex* mutex;
  /* Guarded by mutex. */
  int terminated;
  uint64_t reach_queries;
  uint64_t packets_dropped;
  uint64_t bytes_dropped;
} NullProvider;

static VOID CALLBACK OnEstablish(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context) {
  (void)instance;
  (void)context;
  ExampleStatus("session", "established");
}

static VOID CALLBACK OnTerminate(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context,
                                 CPNATFWT_SESSION_TERMINATION_REASON reason) {
  NullProvider* provider = (NullProvider*)context;
  (void)instance;
  ExampleMutexLock(provider->mutex);
  provider->terminated = 1;
  ExampleMutexUnlock(provider->mutex);
  ExampleStatus("terminated", "%s", ExampleTerminationReasonName(reason));
}

static HRESULT CALLBACK OnTransition(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    PVOID completion_context, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)context;
  (void)completion_context;
  (void)routine;
  return S_OK;
}

static HRESULT CALLBACK
OnAddTransportId(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
                 CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
                 CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  ExampleTransportId id;
  char text[64];
  (void)instance;
  (void)context;
  (void)completion_context;
  (void)routine;
  if (ExampleIdCopy(transport_id, &id) != 0) return E_INVALIDARG;
  ExampleIdFormat(&id, text, sizeof text);
  ExampleStatus("transport_id", "%s", text);
  return S_OK;
}

static HRESULT CALLBACK OnReachTransportId(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  NullProvider* provider = (NullProvider*)context;
  (void)instance;
  (void)transport_id;
  (void)completion_context;
  (void)routine;
  ExampleMutexLock(provider->mutex);
  ++provider->reach_queries;
  ExampleMutexUnlock(provider->mutex);
  return S_OK;
}

static HRESULT CALLBACK OnSendBuffers(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    CPNATFWT_TRANSPORT_ID* local_id, CPNATFWT_TRANSPORT_ID* remote_id,
    UINT64 endpoint_luid, CPNATFWT_BUFFER* chain, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  NullProvider* provider = (NullProvider*)context;
  uint64_t bytes = 0;
  (void)instance;
  (void)local_id;
  (void)remote_id;
  (void)endpoint_luid;
  (void)completion_context;
  (void)routine;
  for (; chain != NULL; chain = chain->next) bytes += chain->size;
  ExampleMutexLock(provider->mutex);
  ++provider->packets_dropped;
  provider->bytes_dropped += bytes;
  ExampleMutexUnlock(provider->mutex);
  return S_OK; /* accepted, then lost: IP semantics allow it (spec 5.8) */
}

static int Terminated(NullProvider* provider) {
  int terminated;
  ExampleMutexLock(provider->mutex);
  terminated = provider->terminated;
  ExampleMutexUnlock(provider->mutex);
  return terminated;
}

/* Waits for a stop request, the end of `duration_ms` (0: no end) or a
 * CP-initiated termination; returns the exit status. */
static int Wait(NullProvider* provider, uint64_t duration_ms) {
  uint64_t deadline = ExampleNowMs() + duration_ms;
  while (!ExampleStopRequested()) {
    if (Terminated(provider)) return kExampleExitFailure;
    if (duration_ms != 0 && ExampleNowMs() >= deadline) break;
    ExampleSleepMs(kWaitStepMs);
  }
  return kExampleExitOk;
}

static void PrintCounters(NullProvider* provider) {
  ExampleMutexLock(provider->mutex);
  ExampleStatus("reach_queries", "%" PRIu64, provider->reach_queries);
  ExampleStatus("packets_dropped", "%" PRIu64, provider->packets_dropped);
  ExampleStatus("bytes_dropped", "%" PRIu64, provider->bytes_dropped);
  ExampleMutexUnlock(provider->mutex);
}

static int Run(NullProvider* provider, const WCHAR* name, const char* luid_file,
               uint64_t duration_ms) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = ExampleEmptyCallbacks();
  CPNATFWT_PROVIDER_INSTANCE instance = NULL;
  uint64_t luid = 0;
  int result;
  HRESULT hr;
  callbacks.establishSessionIndication = OnEstablish;
  callbacks.terminateSessionIndication = OnTerminate;
  callbacks.transitionActive = OnTransition;
  callbacks.addTransportId = OnAddTransportId;
  callbacks.reachTransportId = OnReachTransportId;
  callbacks.sendBuffers = OnSendBuffers;
  hr = CPNatfwtCreateProviderInstance(&callbacks, provider, &instance);
  if (hr == S_OK) {
    hr = ExampleRegister(instance, name, luid_file, &luid);
    if (hr != S_OK) CPNatfwtDestroyProviderInstance(instance);
  }
  if (hr != S_OK) {
    fprintf(stderr, "null_provider: setup failed: 0x%08" PRIX32 " (%s)\n",
            (uint32_t)hr, ExampleHresultName(hr));
    return kExampleExitFailure;
  }
  ExampleStatus("luid", "0x%016" PRIx64, luid);
  result = Wait(provider, duration_ms);
  (void)CPNatfwtDeregisterProviderInstance(instance);
  CPNatfwtDestroyProviderInstance(instance);
  PrintCounters(provider);
  return result;
}

static void Usage(FILE* out) {
  fprintf(out,
          "Usage: null_provider [options]\n"
          "A provider that reaches everything and drops every packet.\n\n"
          "  --duration SECONDS     stop after this long (default: at "
          "SIGINT/SIGTERM)\n"
          "%s"
          "  --help                 this text\n",
          kExampleCommonUsage);
}

/* Parses --duration's value; returns 1, or -1 after a message. */
static int ParseDuration(const char* value, uint64_t* duration_ms) {
  char* end = NULL;
  unsigned long seconds;
  if (value == NULL) return -1;
  seconds = strtoul(value, &end, 10);
  if (end == value || *end != '\0' || seconds == 0 ||
      seconds > 86400ul * 365ul) {
    fprintf(stderr, "null_provider: bad --duration '%s'\n", value);
    return -1;
  }
  *duration_ms = (uint64_t)seconds * 1000u;
  return 1;
}

/* Returns -1 to go on, or the exit status (help shown, or a usage error). */
static int ParseOptions(int argc, char** argv, ExampleCommonOptions* options,
                        uint64_t* duration_ms) {
  int i;
  for (i = 1; i < argc; ++i) {
    int parsed;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      Usage(stdout);
      return kExampleExitOk;
    }
    if (strcmp(argv[i], "--duration") == 0) {
      parsed = ParseDuration(
          ExampleOptionValue("null_provider", argc, argv, &i), duration_ms);
    } else {
      parsed =
          ExampleParseCommonOption("null_provider", argc, argv, &i, options);
    }
    if (parsed == 0) {
      fprintf(stderr, "null_provider: unknown option %s\n", argv[i]);
    }
    if (parsed <= 0) {
      Usage(stderr);
      return kExampleExitUsage;
    }
  }
  return -1;
}

int main(int argc, char** argv) {
  ExampleCommonOptions options;
  NullProvider provider;
  uint64_t duration_ms = 0;
  WCHAR* name = NULL;
  int result;
  memset(&options, 0, sizeof options);
  memset(&provider, 0, sizeof provider);
  result = ParseOptions(argc, argv, &options, &duration_ms);
  if (result < 0) {
    result = ExampleStartup("null_provider", &options, &name);
    if (result == 0) result = -1; /* started: run */
  }
  if (result < 0) {
    provider.mutex = ExampleMutexCreate();
    result = provider.mutex != NULL
                 ? Run(&provider, name, options.luid_file, duration_ms)
                 : kExampleExitFailure;
  }
  ExampleMutexDestroy(provider.mutex);
  free(name);
  return result;
}
