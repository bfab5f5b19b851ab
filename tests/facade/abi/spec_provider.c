/* Copyright 2026 The natfwt Authors.
 *
 * spec_provider: a provider written only from the specification
 * (shared/spec/cpnatfwt-api.md, section 11's declarations and the prose of
 * sections 3-8), never from natfwt's header beyond its name. It uses every
 * type, constant, status macro, callback typedef and function the spec
 * declares, so it compiles unchanged as C11 and C++20, with gcc, clang and
 * mingw-w64, and it checks the behaviour the spec promises against
 * libcpnatfwt on the in-memory backend:
 *
 *   NATFWT_CP_BACKEND=memory NATFWT_STATE_DIR=$(mktemp -d) ./spec_provider
 *
 * Exit status 0 when every check held; 1 (after one line per failed check
 * naming the spec section) otherwise.
 *
 * The only non-spec code is the portability block below (a lock, a sleep and
 * thread identity for the waits), chosen per OS at the top of the file.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* nanosleep under strict C11 */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpnatfwt.h"

/* --- Portability: lock, sleep, thread identity -------------------------- */
#ifdef _WIN32
typedef SRWLOCK SpecLock;
typedef DWORD SpecThread;
static void SpecLockInit(SpecLock* lock) { InitializeSRWLock(lock); }
static void SpecLockAcquire(SpecLock* lock) { AcquireSRWLockExclusive(lock); }
static void SpecLockRelease(SpecLock* lock) { ReleaseSRWLockExclusive(lock); }
static void SpecSleepMs(unsigned ms) { Sleep(ms); }
static SpecThread SpecCurrentThread(void) { return GetCurrentThreadId(); }
static int SpecSameThread(SpecThread a, SpecThread b) { return a == b; }
#else
#include <pthread.h>
#include <time.h>
typedef pthread_mutex_t SpecLock;
typedef pthread_t SpecThread;
static void SpecLockInit(SpecLock* lock) { pthread_mutex_init(lock, NULL); }
static void SpecLockAcquire(SpecLock* lock) { pthread_mutex_lock(lock); }
static void SpecLockRelease(SpecLock* lock) { pthread_mutex_unlock(lock); }
static void SpecSleepMs(unsigned ms) {
  struct timespec delay;
  delay.tv_sec = (time_t)(ms / 1000u);
  delay.tv_nsec = (long)(ms % 1000u) * 1000000L;
  nanosleep(&delay, NULL);
}
static SpecThread SpecCurrentThread(void) { return pthread_self(); }
static int SpecSameThread(SpecThread a, SpecThread b) {
  return pthread_equal(a, b);
}
#endif
/* ------------------------------------------------------------------------ */

enum { kWaitStepMs = 10, kWaitMs = 10000 };

static int g_failures = 0;
static SpecThread g_main_thread;

#define CHECK(condition, section) \
  Check((condition) ? 1 : 0, #condition, section, __LINE__)
#define CHECK_HR(call, expected, section) \
  CheckHresult((call), (expected), #call, section, __LINE__)

static void Check(int ok, const char* what, const char* section, int line) {
  if (ok) return;
  ++g_failures;
  fprintf(stderr, "spec_provider.c:%d: spec %s: check failed: %s\n", line,
          section, what);
}

static void CheckHresult(HRESULT actual, HRESULT expected, const char* what,
                         const char* section, int line) {
  if (actual == expected) return;
  ++g_failures;
  fprintf(stderr,
          "spec_provider.c:%d: spec %s: %s returned 0x%08lx, expected "
          "0x%08lx\n",
          line, section, what, (unsigned long)(ULONG)actual,
          (unsigned long)(ULONG)expected);
}

/* What the callbacks of one instance saw. */
typedef struct SpecInstance {
  SpecLock lock;
  int pend_add; /* ADD returns ERROR_IO_PENDING; main completes it */
  int establish_count;
  int terminate_count;
  CPNATFWT_SESSION_TERMINATION_REASON reason;
  int add_count;
  int on_main_thread; /* a callback ran on the thread that registered */
  BYTE id[16];        /* deep copy of the ADDed transport ID (3.6) */
  USHORT id_size;
  PVOID add_context;
  CPNATFWT_PLATFORM_COMPLETION_ROUTINE add_routine;
  int indicate_completions;
} SpecInstance;

static SpecInstance* Context(PVOID user_context) {
  return (SpecInstance*)user_context;
}

static void NoteCallback(SpecInstance* instance) {
  if (SpecSameThread(SpecCurrentThread(), g_main_thread)) {
    instance->on_main_thread = 1;
  }
}

/* --- Callbacks (section 5) ---------------------------------------------- */

static VOID CALLBACK OnEstablish(CPNATFWT_PROVIDER_INSTANCE provider_instance,
                                 PVOID user_context) {
  SpecInstance* instance = Context(user_context);
  (void)provider_instance;
  SpecLockAcquire(&instance->lock);
  NoteCallback(instance);
  ++instance->establish_count;
  SpecLockRelease(&instance->lock);
}

static VOID CALLBACK OnTerminate(CPNATFWT_PROVIDER_INSTANCE provider_instance,
                                 PVOID user_context,
                                 CPNATFWT_SESSION_TERMINATION_REASON reason) {
  SpecInstance* instance = Context(user_context);
  (void)provider_instance;
  SpecLockAcquire(&instance->lock);
  NoteCallback(instance);
  ++instance->terminate_count;
  instance->reason = reason;
  SpecLockRelease(&instance->lock);
}

static HRESULT CALLBACK
OnTransition(CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
             PVOID completion_context,
             CPNATFWT_PLATFORM_COMPLETION_ROUTINE completion_routine) {
  (void)provider_instance;
  (void)user_context;
  /* Finishing synchronously: context and routine are ignored (5.0). */
  (void)completion_context;
  (void)completion_routine;
  return S_OK;
}

static HRESULT CALLBACK OnAddTransportId(
    CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE completion_routine) {
  SpecInstance* instance = Context(user_context);
  HRESULT result = S_OK;
  (void)provider_instance;
  SpecLockAcquire(&instance->lock);
  NoteCallback(instance);
  ++instance->add_count;
  if (transport_id != NULL && transport_id->transportId != NULL &&
      transport_id->size <= sizeof instance->id) {
    instance->id_size = transport_id->size;
    memcpy(instance->id, transport_id->transportId, transport_id->size);
  }
  if (instance->pend_add && instance->add_routine == NULL) {
    instance->add_context = completion_context;
    instance->add_routine = completion_routine;
    result = HRESULT_FROM_WIN32(ERROR_IO_PENDING);
  }
  SpecLockRelease(&instance->lock);
  return result;
}

static HRESULT CALLBACK OnRemoveTransportId(
    CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE completion_routine) {
  (void)provider_instance;
  (void)user_context;
  (void)transport_id;
  (void)completion_context;
  (void)completion_routine;
  return S_OK;
}

static HRESULT CALLBACK OnReachTransportId(
    CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
    CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE completion_routine) {
  (void)provider_instance;
  (void)user_context;
  (void)transport_id;
  (void)completion_context;
  (void)completion_routine;
  return HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE); /* no peers here */
}

static HRESULT CALLBACK
OnSendBuffers(CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
              CPNATFWT_TRANSPORT_ID* local_transport_id,
              CPNATFWT_TRANSPORT_ID* remote_transport_id, UINT64 endpoint_luid,
              CPNATFWT_BUFFER* buffer_chain, PVOID completion_context,
              CPNATFWT_PLATFORM_COMPLETION_ROUTINE completion_routine) {
  (void)provider_instance;
  (void)user_context;
  (void)local_transport_id;
  (void)remote_transport_id;
  (void)endpoint_luid;
  (void)buffer_chain;
  (void)completion_context;
  (void)completion_routine;
  return HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE);
}

static VOID CALLBACK OnIndicateCompleted(
    CPNATFWT_PROVIDER_INSTANCE provider_instance, PVOID user_context,
    PVOID completion_context, CPNATFWT_BUFFER* buffer_chain, HRESULT status) {
  SpecInstance* instance = Context(user_context);
  (void)provider_instance;
  (void)completion_context;
  (void)buffer_chain;
  (void)status;
  SpecLockAcquire(&instance->lock);
  ++instance->indicate_completions;
  SpecLockRelease(&instance->lock);
}

/* The table of 3.9; every pointer goes through its section-5 typedef. */
static CPNATFWT_PROVIDER_CALLBACKS Callbacks(const GUID* provider_id) {
  CPNATFWT_PROVIDER_ESTABLISH_SESSION_INDICATION establish = OnEstablish;
  CPNATFWT_PROVIDER_TERMINATE_SESSION_INDICATION terminate = OnTerminate;
  CPNATFWT_PROVIDER_TRANSITION_ACTIVE active = OnTransition;
  CPNATFWT_PROVIDER_TRANSITION_DORMANT dormant = OnTransition;
  CPNATFWT_PROVIDER_ADD_TRANSPORT_ID add = OnAddTransportId;
  CPNATFWT_PROVIDER_REMOVE_TRANSPORT_ID remove = OnRemoveTransportId;
  CPNATFWT_PROVIDER_REACH_TRANSPORT_ID reach = OnReachTransportId;
  CPNATFWT_PROVIDER_SEND_BUFFERS send = OnSendBuffers;
  CPNATFWT_PROVIDER_CALLBACKS callbacks;
  memset(&callbacks, 0, sizeof callbacks);
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = (USHORT)sizeof(CPNATFWT_PROVIDER_CALLBACKS);
  callbacks.reserved = 0;
  callbacks.providerId = *provider_id;
  callbacks.establishSessionIndication = establish;
  callbacks.terminateSessionIndication = terminate;
  callbacks.transitionActive = active;
  callbacks.transitionDormant = dormant;
  callbacks.addTransportId = add;
  callbacks.removeTransportId = remove;
  callbacks.reachTransportId = reach;
  callbacks.sendBuffers = send;
  return callbacks;
}

static void InitInstance(SpecInstance* instance, int pend_add) {
  memset(instance, 0, sizeof *instance);
  SpecLockInit(&instance->lock);
  instance->pend_add = pend_add;
}

/* Waits (bounded) until *counter >= target; returns the final value. */
static int WaitFor(SpecInstance* instance, const int* counter, int target) {
  int waited = 0;
  int value;
  for (;;) {
    SpecLockAcquire(&instance->lock);
    value = *counter;
    SpecLockRelease(&instance->lock);
    if (value >= target || waited >= kWaitMs) return value;
    SpecSleepMs(kWaitStepMs);
    waited += kWaitStepMs;
  }
}

/* --- Constants (3.3, 3.4, 3.7, 3.9, 3.10) ------------------------------- */

static void CheckConstants(void) {
  const struct {
    HRESULT value;
    unsigned long expected;
  } codes[] = {
      {S_OK, 0x00000000ul},
      {HRESULT_FROM_WIN32(ERROR_IO_PENDING), 0x800703E5ul},
      {E_INVALIDARG, 0x80070057ul},
      {E_POINTER, 0x80004003ul},
      {E_OUTOFMEMORY, 0x8007000Eul},
      {E_ACCESSDENIED, 0x80070005ul},
      {HRESULT_FROM_WIN32(ERROR_INVALID_STATE), 0x8007139Ful},
      {HRESULT_FROM_WIN32(ERROR_NOT_FOUND), 0x80070490ul},
      {HRESULT_FROM_WIN32(ERROR_BUSY), 0x800700AAul},
      {HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE), 0x80070426ul},
      {HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), 0x80070032ul},
      {HRESULT_FROM_WIN32(ERROR_DUP_NAME), 0x80070034ul},
      {HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE), 0x800704D0ul},
      {HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), 0x800703E3ul},
      {HRESULT_FROM_WIN32(ERROR_INVALID_DATA), 0x8007000Dul},
      {HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES), 0x800705AAul},
  };
  size_t i;
  for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
    CHECK((unsigned long)(ULONG)codes[i].value == codes[i].expected, "3.10");
  }
  CHECK(SUCCEEDED(S_OK) && !FAILED(S_OK), "3.10");
  CHECK(FAILED(E_INVALIDARG), "3.10");
  CHECK(FAILED(HRESULT_FROM_WIN32(ERROR_IO_PENDING)), "3.10 (note)");
  CHECK(CPNATFWT_MAX_INTERFACE_NAME_LENGTH == 256, "3.3");
  CHECK(CPNATFWT_REGISTER_FLAG_NONE == 0, "3.4");
  CHECK(CPNATFWT_PROVIDER_CALLBACKS_VERSION_1 == 1, "3.9");
  CHECK(CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST == 0 &&
            CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN == 1 &&
            CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT == 2 &&
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE == 3 &&
            CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR == 4,
        "3.7");
  CHECK(sizeof(ULONG) == 4 && sizeof(USHORT) == 2 && sizeof(BYTE) == 1 &&
            sizeof(UINT64) == 8 && sizeof(ULONG64) == 8 &&
            sizeof(IF_LUID) == 8 && sizeof(PVOID) == sizeof(void*),
        "3.2, 3.5, 9");
  CHECK(sizeof(CPNATFWT_BUFFER) == 3 * sizeof(void*), "3.5");
  CHECK(sizeof(CPNATFWT_TRANSPORT_ID) == 2 * sizeof(void*), "3.6");
}

/* --- Create (4.1) ------------------------------------------------------- */

static void CheckCreateErrors(const GUID* provider_id) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = Callbacks(provider_id);
  CPNATFWT_PROVIDER_INSTANCE instance;
  CHECK_HR(CPNatfwtCreateProviderInstance(NULL, NULL, &instance), E_POINTER,
           "4.1");
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, NULL, NULL), E_POINTER,
           "4.1");
  callbacks.version = 2;
  instance = (CPNATFWT_PROVIDER_INSTANCE)&callbacks; /* must become NULL */
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, NULL, &instance),
           E_INVALIDARG, "4.1");
  CHECK(instance == NULL, "4.1");
  callbacks = Callbacks(provider_id);
  callbacks.reserved = 1;
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, NULL, &instance),
           E_INVALIDARG, "4.1");
  callbacks = Callbacks(provider_id);
  callbacks.sendBuffers = NULL; /* required */
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, NULL, &instance),
           E_INVALIDARG, "4.1");
}

/* --- IndicateReceivedBuffers (4.5, 7.1) --------------------------------- */

/* Builds an IPv6 packet (RFC 8200 section 3) from `source` to `destination`
 * with an empty UDP payload (next header 17). */
static void BuildPacket(BYTE packet[48], const BYTE source[16],
                        const BYTE destination[16]) {
  memset(packet, 0, 48);
  packet[0] = 0x60; /* version 6 */
  packet[5] = 8;    /* payload length: the 8-byte UDP header */
  packet[6] = 17;   /* next header: UDP */
  packet[7] = 64;   /* hop limit */
  memcpy(packet + 8, source, 16);
  memcpy(packet + 24, destination, 16);
  packet[40] = 0x30; /* UDP source port 12345 */
  packet[41] = 0x39;
  packet[42] = 0x30; /* destination port 12345 */
  packet[43] = 0x39;
  packet[45] = 8; /* UDP length */
}

/* After a failed first indication, waits (bounded) until the CP accepts the
 * ID, so the checks that follow test what they name. */
static void WaitUntilAccepted(CPNATFWT_PROVIDER_INSTANCE handle,
                              CPNATFWT_TRANSPORT_ID* local,
                              CPNATFWT_TRANSPORT_ID* remote,
                              CPNATFWT_BUFFER* chain, HRESULT hr) {
  int waited = 0;
  while (hr == HRESULT_FROM_WIN32(ERROR_NOT_FOUND) && waited < kWaitMs) {
    SpecSleepMs(kWaitStepMs);
    waited += kWaitStepMs;
    hr = CPNatfwtIndicateReceivedBuffers(handle, local, remote, chain, NULL,
                                         NULL);
  }
}

static void CheckIndications(CPNATFWT_PROVIDER_INSTANCE handle,
                             SpecInstance* instance) {
  BYTE local_bytes[16];
  BYTE remote_bytes[16];
  BYTE packet[48];
  CPNATFWT_TRANSPORT_ID local;
  CPNATFWT_TRANSPORT_ID remote;
  CPNATFWT_BUFFER segments[3];
  HRESULT hr;
  memcpy(local_bytes, instance->id, 16);
  memcpy(remote_bytes, instance->id, 16);
  remote_bytes[15] ^= 0x5a; /* a peer in the same /64 */
  local.size = 16;
  local.transportId = local_bytes;
  remote.size = 16;
  remote.transportId = remote_bytes;
  BuildPacket(packet, remote_bytes, local_bytes);
  /* A chain of three segments, one empty (allowed and skipped, 7.1). */
  segments[0].next = &segments[1];
  segments[0].size = 20;
  segments[0].buffer = packet;
  segments[1].next = &segments[2];
  segments[1].size = 0;
  segments[1].buffer = NULL;
  segments[2].next = NULL;
  segments[2].size = 28;
  segments[2].buffer = packet + 20;

  /* The pended ADD was completed with S_OK just before this call: the ID
   * must be a valid localTransportId from that moment on (5.5). */
  hr = CPNatfwtIndicateReceivedBuffers(handle, &local, &remote, segments, NULL,
                                       NULL);
  CHECK_HR(hr, S_OK, "5.5 (ID valid once its ADD completed)");
  WaitUntilAccepted(handle, &local, &remote, segments, hr);
  CHECK_HR(CPNatfwtIndicateReceivedBuffers(handle, &local, &remote, segments,
                                           NULL, NULL),
           S_OK, "4.5 (no completion routine)");
  hr = CPNatfwtIndicateReceivedBuffers(handle, &local, &remote, segments,
                                       instance, OnIndicateCompleted);
  CHECK(hr == S_OK || hr == HRESULT_FROM_WIN32(ERROR_IO_PENDING),
        "4.5 (completion routine)");
  /* Pended: the routine comes exactly once; synchronous: never. */
  CHECK(WaitFor(instance, &instance->indicate_completions,
                hr == S_OK ? 0 : 1) == (hr == S_OK ? 0 : 1),
        "4.5");
  CHECK_HR(CPNatfwtIndicateReceivedBuffers(handle, &remote, &remote, segments,
                                           NULL, NULL),
           HRESULT_FROM_WIN32(ERROR_NOT_FOUND), "4.5 (local ID never added)");
  BuildPacket(packet, local_bytes, remote_bytes); /* addresses swapped */
  CHECK_HR(CPNatfwtIndicateReceivedBuffers(handle, &local, &remote, segments,
                                           NULL, NULL),
           HRESULT_FROM_WIN32(ERROR_INVALID_DATA),
           "7.1 (addresses do not match the IDs)");
  CHECK(FAILED(CPNatfwtIndicateReceivedBuffers(handle, &local, &remote, NULL,
                                               NULL, NULL)),
        "4.5 (no chain)");
}

/* --- Registration and the session (4.2-4.4, 5, 6, 8) -------------------- */

static const GUID kProviderId = {
    0x5c0f7e21,
    0x9b1d,
    0x4c3a,
    {0x8e, 0x52, 0x1f, 0x60, 0x2b, 0x7d, 0x44, 0x19}};
static const GUID kOtherProviderId = {
    0x0b6c1e58,
    0x2f4a,
    0x4d7e,
    {0x91, 0x3c, 0x5a, 0x08, 0xe2, 0x6f, 0x17, 0xc3}};

/* Instance A: register, session, pended ADD, indications. Returns its LUID
 * (the instance stays registered for the LUID checks). */
static ULONG64 RegisterFirst(CPNATFWT_PROVIDER_INSTANCE handle,
                             SpecInstance* instance) {
  WCHAR name[] = L"spec provider \x2713";
  WCHAR bad_sddl[] = L"not an SDDL string";
  BYTE packet[48];
  BYTE address[16];
  CPNATFWT_TRANSPORT_ID id;
  CPNATFWT_BUFFER chain;
  IF_LUID luid;
  luid.Value = 0;
  memset(address, 0, sizeof address);
  address[0] = 0xfd;
  id.size = 16;
  id.transportId = address;
  BuildPacket(packet, address, address);
  chain.next = NULL;
  chain.size = sizeof packet;
  chain.buffer = packet;
  CHECK_HR(
      CPNatfwtIndicateReceivedBuffers(handle, &id, &id, &chain, NULL, NULL),
      HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "6.1 (no session yet)");
  CHECK_HR(CPNatfwtDeregisterProviderInstance(handle),
           HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "4.3 (never registered)");
  CHECK_HR(CPNatfwtRegisterProviderInstance(handle, name, &luid, 1, NULL),
           E_INVALIDARG, "3.4, D5 (unknown flag)");
  CHECK_HR(CPNatfwtRegisterProviderInstance(
               handle, name, &luid, CPNATFWT_REGISTER_FLAG_NONE, bad_sddl),
           E_INVALIDARG, "D8 (bad SDDL)");
  /* A failed registration may be retried (4.2). */
  CHECK_HR(CPNatfwtRegisterProviderInstance(handle, name, &luid,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           S_OK, "4.2");
  CHECK(luid.Value != 0, "4.2 (LUID output)");
  CHECK(luid.Info.IfType == 131, "9 (IF_TYPE_TUNNEL)");
  CHECK_HR(CPNatfwtRegisterProviderInstance(handle, name, &luid,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
           "4.2 (one successful registration)");
  CHECK(WaitFor(instance, &instance->establish_count, 1) == 1, "5.1");
  CHECK(WaitFor(instance, &instance->add_count, 1) >= 1, "5.5");
  SpecLockAcquire(&instance->lock);
  CHECK(instance->id_size == 16 && instance->id[0] == 0xfd,
        "7.3 (IPv6 ULA transport ID)");
  CHECK(instance->add_routine != NULL, "5.0");
  SpecLockRelease(&instance->lock);
  if (instance->add_routine != NULL) {
    /* Completing a pended ADD from another thread (5.0). */
    instance->add_routine(instance->add_context, S_OK);
  }
  CheckIndications(handle, instance);
  return luid.Value;
}

/* Deregister, TERMINATE(PROVIDER_REQUEST) once, Destroy once (6.3 A). */
static void Unregister(CPNATFWT_PROVIDER_INSTANCE handle,
                       SpecInstance* instance) {
  CHECK_HR(CPNatfwtDeregisterProviderInstance(handle), S_OK, "4.3");
  SpecLockAcquire(&instance->lock);
  CHECK(instance->terminate_count == 1, "4.3 (TERMINATE before return)");
  CHECK(instance->reason == CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST,
        "3.7");
  SpecLockRelease(&instance->lock);
  CHECK_HR(CPNatfwtDeregisterProviderInstance(handle),
           HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "4.3 (second call)");
  CPNatfwtDestroyProviderInstance(handle);
  CHECK_HR(CPNatfwtDeregisterProviderInstance(handle), E_INVALIDARG,
           "4.3, D9 (stale handle)");
}

/* Instances B (same provider) and C (another provider) and the LUID rules
 * of 4.2 while A holds `luid_a`, then after A is gone. */
static void CheckLuids(CPNATFWT_PROVIDER_INSTANCE first, SpecInstance* a,
                       ULONG64 luid_a) {
  CPNATFWT_PROVIDER_CALLBACKS same = Callbacks(&kProviderId);
  CPNATFWT_PROVIDER_CALLBACKS other = Callbacks(&kOtherProviderId);
  CPNATFWT_PROVIDER_INSTANCE b = NULL;
  CPNATFWT_PROVIDER_INSTANCE c = NULL;
  SpecInstance state_b;
  SpecInstance state_c;
  WCHAR long_name[CPNATFWT_MAX_INTERFACE_NAME_LENGTH + 45];
  WCHAR everyone[] = L"D:(A;;GA;;;WD)";
  IF_LUID luid;
  size_t i;
  InitInstance(&state_b, 0);
  InitInstance(&state_c, 0);
  CHECK_HR(CPNatfwtCreateProviderInstance(&same, &state_b, &b), S_OK, "4.1");
  CHECK_HR(CPNatfwtCreateProviderInstance(&other, &state_c, &c), S_OK, "4.1");
  luid.Value = luid_a;
  CHECK_HR(CPNatfwtRegisterProviderInstance(b, NULL, &luid,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           HRESULT_FROM_WIN32(ERROR_BUSY),
           "4.2 (LUID held by a live instance)");
  luid.Value = luid_a ^ ((ULONG64)0x7f << 24); /* never handed out */
  CHECK_HR(CPNatfwtRegisterProviderInstance(b, NULL, &luid,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           HRESULT_FROM_WIN32(ERROR_NOT_FOUND), "4.2 (unknown LUID)");
  Unregister(first, a);
  luid.Value = luid_a;
  CHECK_HR(CPNatfwtRegisterProviderInstance(c, NULL, &luid,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
           "4.2 (LUID of another provider)");
  CHECK_HR(CPNatfwtRegisterProviderInstance(
               b, NULL, &luid, CPNATFWT_REGISTER_FLAG_NONE, everyone),
           S_OK, "4.2 (reuse), D8");
  CHECK(luid.Value == luid_a, "4.2 (same LUID back)");
  for (i = 0; i + 1 < sizeof long_name / sizeof long_name[0]; ++i) {
    long_name[i] = (WCHAR)(L'a' + (WCHAR)(i % 26));
  }
  long_name[i] = 0;
  CHECK_HR(CPNatfwtRegisterProviderInstance(c, long_name, NULL,
                                            CPNATFWT_REGISTER_FLAG_NONE, NULL),
           S_OK, "4.2 (long name cut silently, no LUID pointer)");
  CHECK(WaitFor(&state_b, &state_b.establish_count, 1) == 1, "5.1");
  CHECK(WaitFor(&state_c, &state_c.establish_count, 1) == 1, "5.1");
  /* Destroy without Deregister: deregistered implicitly (4.4). */
  CPNatfwtDestroyProviderInstance(b);
  CHECK(state_b.terminate_count == 1, "4.4, D15");
  Unregister(c, &state_c);
  CHECK(!state_b.on_main_thread && !state_c.on_main_thread, "8.2");
}

int main(void) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = Callbacks(&kProviderId);
  CPNATFWT_PROVIDER_INSTANCE first = NULL;
  CPNATFWT_PROVIDER_INSTANCE unused = NULL;
  SpecInstance state_a;
  ULONG64 luid_a;
  g_main_thread = SpecCurrentThread();
  InitInstance(&state_a, 1);
  CheckConstants();
  CheckCreateErrors(&kProviderId);
  /* Path C of 6.3: created, never registered, destroyed. */
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, NULL, &unused), S_OK,
           "4.1");
  CPNatfwtDestroyProviderInstance(unused);
  CHECK_HR(CPNatfwtCreateProviderInstance(&callbacks, &state_a, &first), S_OK,
           "4.1");
  luid_a = RegisterFirst(first, &state_a);
  CHECK(!state_a.on_main_thread, "8.2 (callbacks on CP threads)");
  CheckLuids(first, &state_a, luid_a);
  if (g_failures != 0) {
    fprintf(stderr, "spec_provider: %d check(s) failed\n", g_failures);
    return 1;
  }
  printf("spec_provider: every check held\n");
  return 0;
}
