/* Copyright 2026 The natfwt Authors.
 *
 * cpnatfwt.h: the Connectivity Platform NAT/firewall traversal provider API.
 *
 * A portable reconstruction of the preliminary Windows 7 CPNatfwt* API
 * (iphlpapi.dll ordinals 4-8), as specified in natfwt's
 * shared/spec/cpnatfwt-api.md (section 11 is this header). Names, signatures,
 * struct layouts and enum values follow the spec exactly; items the original
 * documentation did not publish are the spec's decisions (tagged DECISION).
 *
 * A provider:
 *   1. CPNatfwtCreateProviderInstance(&callbacks, context, &instance);
 *   2. CPNatfwtRegisterProviderInstance(instance, L"My VPN", &luid, 0, NULL);
 *      natfwt creates the virtual interface and later calls
 *      establishSessionIndication, addTransportId (the interface's local
 *      addresses), transitionActive, reachTransportId and sendBuffers
 *      (one IP packet per call) as applications use the interface;
 *   3. packets from peers go back with CPNatfwtIndicateReceivedBuffers;
 *   4. CPNatfwtDeregisterProviderInstance(instance): exactly one
 *      terminateSessionIndication follows (or came first, when natfwt ended
 *      the session);
 *   5. CPNatfwtDestroyProviderInstance(instance), exactly once.
 *
 * Threading: the five functions may be called from any thread. Callbacks run
 * on natfwt's worker threads, never on the thread that called Register;
 * control callbacks of one instance never overlap (spec section 8).
 *
 * Status codes: on Windows they come from winerror.h; elsewhere this header
 * defines the same names with the same values, so provider sources compile
 * unchanged on both systems.
 */
#ifndef CPNATFWT_H_
#define CPNATFWT_H_

#include <stdint.h>

#ifdef _WIN32
/* Order matters: winsock2.h before windows.h, ifdef.h last. */
/* clang-format off */
#include <winsock2.h>
#include <windows.h>
#include <ifdef.h> /* IF_LUID */
/* clang-format on */
#else
#include <wchar.h>

typedef int32_t HRESULT;
typedef uint8_t BYTE;
typedef uint16_t USHORT;
typedef uint32_t ULONG; /* 32-bit on every platform, as on Windows. */
typedef uint64_t UINT64;
typedef uint64_t ULONG64;
typedef void* PVOID;
/* DECISION: wchar_t (32-bit on Linux) so that L"..." literals compile
 * unchanged; natfwt converts names to UTF-8 at the boundary. */
typedef wchar_t WCHAR;
#ifndef VOID
#define VOID void
#endif
#define WINAPI
#define CALLBACK

typedef struct _GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
} GUID;

typedef union _NET_LUID_LH {
  ULONG64 Value;
  struct {
    ULONG64 Reserved : 24;
    ULONG64 NetLuidIndex : 24;
    ULONG64 IfType : 16; /* IANA ifType */
  } Info;
} NET_LUID_LH, NET_LUID, IF_LUID, *PIF_LUID;

/* Status codes (spec 3.10), with winerror.h's values. */
#define S_OK ((HRESULT)0x00000000L)
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#define FACILITY_WIN32 7
#define HRESULT_FROM_WIN32(x) \
  ((HRESULT)(x) <= 0          \
       ? ((HRESULT)(x))       \
       : ((HRESULT)(((x)&0x0000FFFF) | (FACILITY_WIN32 << 16) | 0x80000000)))
#define E_INVALIDARG ((HRESULT)0x80070057L)
#define E_POINTER ((HRESULT)0x80004003L)
#define E_OUTOFMEMORY ((HRESULT)0x8007000EL)
#define E_ACCESSDENIED ((HRESULT)0x80070005L)
#define E_UNEXPECTED ((HRESULT)0x8000FFFFL)
#define ERROR_INVALID_DATA 13L
#define ERROR_NOT_SUPPORTED 50L
#define ERROR_DUP_NAME 52L
#define ERROR_BUSY 170L
#define ERROR_OPERATION_ABORTED 995L
#define ERROR_IO_PENDING 997L
#define ERROR_SERVICE_NOT_ACTIVE 1062L
#define ERROR_NOT_FOUND 1168L
#define ERROR_HOST_UNREACHABLE 1232L
#define ERROR_NO_SYSTEM_RESOURCES 1450L
#define ERROR_INVALID_STATE 5023L
#endif /* _WIN32 */

/* SAL parameter annotations (the spec writes SAL1's __in etc.): Windows'
 * SAL2 names where sal.h defines them for C and C++ alike (mingw leaves SAL1's
 * __in/__out undefined in C++, where they clash with libstdc++), empty
 * elsewhere (glibc and libstdc++ use names like __in themselves, so natfwt
 * never defines those). */
#if defined(_WIN32)
#define CPNATFWT_IN _In_
#define CPNATFWT_IN_OPT _In_opt_
#define CPNATFWT_INOUT_OPT _Inout_opt_
#define CPNATFWT_OUT _Out_
#else
#define CPNATFWT_IN
#define CPNATFWT_IN_OPT
#define CPNATFWT_INOUT_OPT
#define CPNATFWT_OUT
#endif

/* Export/import of the five functions. */
#if defined(_WIN32)
#if defined(CPNATFWT_BUILDING)
#define CPNATFWT_API __declspec(dllexport)
#else
#define CPNATFWT_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define CPNATFWT_API __attribute__((visibility("default")))
#else
#define CPNATFWT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Longest friendly name, in UTF-16 code units, without the terminator;
 * longer names are cut silently. Value: DECISION (D6, = IF_MAX_STRING_SIZE). */
#define CPNATFWT_MAX_INTERFACE_NAME_LENGTH 256
/* Registration flags: none are defined; any other bit is E_INVALIDARG (D5). */
#define CPNATFWT_REGISTER_FLAG_NONE 0x00000000u

/* Opaque instance handle (DECISION: a handle-table index with a generation
 * counter, never a pointer, so stale handles are detected). */
typedef struct CPNATFWT_PROVIDER_INSTANCE__* CPNATFWT_PROVIDER_INSTANCE;

/* One segment of a buffer chain; a chain carries one whole IP packet (D10).
 * x64: next@0, size@8, buffer@16, sizeof 24. */
typedef struct _CPNATFWT_BUFFER {
  struct _CPNATFWT_BUFFER* next; /* next segment; NULL ends the chain */
  ULONG size;                    /* bytes at 'buffer' */
  BYTE* buffer;
} CPNATFWT_BUFFER;

/* An IPv4 or IPv6 address in network byte order: size 4 or 16 (D11).
 * Compare byte for byte; deep-copy to keep. x64: size@0, transportId@8. */
typedef struct _CPNATFWT_TRANSPORT_ID {
  USHORT size;
  BYTE* transportId;
} CPNATFWT_TRANSPORT_ID;

typedef enum {
  CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST,         /* 0 */
  CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN,        /* 1 */
  CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT,         /* 2 */
  CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE,   /* 3 */
  CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR /* 4 */
} CPNATFWT_SESSION_TERMINATION_REASON;

/* Called by the provider, exactly once, to finish a callback that returned
 * HRESULT_FROM_WIN32(ERROR_IO_PENDING). Any thread, any time, even before the
 * callback returned. 'status' must not itself be ERROR_IO_PENDING. */
typedef VOID(CALLBACK* CPNATFWT_PLATFORM_COMPLETION_ROUTINE)(
    CPNATFWT_IN PVOID completionContext, CPNATFWT_IN HRESULT status);

/* Called by natfwt, exactly once, after CPNatfwtIndicateReceivedBuffers
 * returned pending; the provider owns 'bufferChain' again from then on. */
typedef VOID(CALLBACK* CPNATFWT_PROVIDER_COMPLETION_ROUTINE)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_BUFFER* bufferChain, CPNATFWT_IN HRESULT status);

/* The session is set up (after Register returned S_OK); it starts dormant. */
typedef VOID(CALLBACK* CPNATFWT_PROVIDER_ESTABLISH_SESSION_INDICATION)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext);

/* The session ends; exactly once after any successful Register. The provider
 * may call Deregister from inside it, never Destroy. */
typedef VOID(CALLBACK* CPNATFWT_PROVIDER_TERMINATE_SESSION_INDICATION)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN CPNATFWT_SESSION_TERMINATION_REASON terminationReason);

/* Become active: ready to resolve reachability and carry data. */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_TRANSITION_ACTIVE)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

/* Become dormant after an idle period (presumed; optional). */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_TRANSITION_DORMANT)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

/* A local transport ID (interface address) is tied to the instance; return
 * HRESULT_FROM_WIN32(ERROR_DUP_NAME) if a peer already uses it. */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_ADD_TRANSPORT_ID)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* transportId,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

/* A local transport ID is withdrawn (presumed; optional; advisory). */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_REMOVE_TRANSPORT_ID)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* transportId,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

/* Is this remote transport ID reachable, unambiguously, through the
 * instance? S_OK or HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE). */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_REACH_TRANSPORT_ID)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* transportId,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

/* One outgoing IP packet for a reachable destination. The chain and both IDs
 * belong to natfwt until the call completes. endpointLuid: a nonzero flow ID
 * (0 = unknown). bufferChain is a pointer: DECISION (the page showed it by
 * value, the CPNATFWT_BUFFER page a pointer). */
typedef HRESULT(CALLBACK* CPNATFWT_PROVIDER_SEND_BUFFERS)(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN PVOID providerInstanceUserContext,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* localTransportId,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* remoteTransportId,
    CPNATFWT_IN UINT64 endpointLuid, CPNATFWT_IN CPNATFWT_BUFFER* bufferChain,
    CPNATFWT_IN PVOID completionContext,
    CPNATFWT_IN CPNATFWT_PLATFORM_COMPLETION_ROUTINE completionRoutine);

#define CPNATFWT_PROVIDER_CALLBACKS_VERSION_1 1

/* DECISION (D2): the callback table handed to Create; copied during the call.
 */
typedef struct _CPNATFWT_PROVIDER_CALLBACKS {
  USHORT version;  /* CPNATFWT_PROVIDER_CALLBACKS_VERSION_1 */
  USHORT size;     /* sizeof(CPNATFWT_PROVIDER_CALLBACKS) */
  ULONG reserved;  /* must be 0 */
  GUID providerId; /* stable identity for interface reuse; all-zero = the
                      calling account (D7) */
  CPNATFWT_PROVIDER_ESTABLISH_SESSION_INDICATION establishSessionIndication;
  CPNATFWT_PROVIDER_TERMINATE_SESSION_INDICATION terminateSessionIndication;
  CPNATFWT_PROVIDER_TRANSITION_ACTIVE transitionActive;
  CPNATFWT_PROVIDER_TRANSITION_DORMANT transitionDormant; /* optional */
  CPNATFWT_PROVIDER_ADD_TRANSPORT_ID addTransportId;
  CPNATFWT_PROVIDER_REMOVE_TRANSPORT_ID removeTransportId; /* optional */
  CPNATFWT_PROVIDER_REACH_TRANSPORT_ID reachTransportId;
  CPNATFWT_PROVIDER_SEND_BUFFERS sendBuffers;
} CPNATFWT_PROVIDER_CALLBACKS;

/* Creates an instance in state CREATED. No network activity, no callbacks.
 * Returns S_OK; E_POINTER (NULL callbacks or out pointer); E_INVALIDARG (bad
 * version/size, reserved != 0, a required callback missing); E_OUTOFMEMORY;
 * HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED). *providerInstance is NULL on
 * failure. */
CPNATFWT_API HRESULT WINAPI CPNatfwtCreateProviderInstance(
    CPNATFWT_IN const CPNATFWT_PROVIDER_CALLBACKS* providerCallbacks,
    CPNATFWT_IN_OPT PVOID providerInstanceUserContext,
    CPNATFWT_OUT CPNATFWT_PROVIDER_INSTANCE* providerInstance);

/* Ends the registration: no new callbacks, pended indications aborted, the
 * interface taken down (its LUID kept for reuse), TERMINATE(PROVIDER_REQUEST)
 * delivered if not yet delivered. Returns once no other callback of the
 * instance runs. May be called inside TERMINATE. Returns S_OK;
 * HRESULT_FROM_WIN32(ERROR_INVALID_STATE) (never registered, or already
 * deregistered: harmless); E_INVALIDARG (bad handle). */
CPNATFWT_API HRESULT WINAPI CPNatfwtDeregisterProviderInstance(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance);

/* Frees the instance; exactly once per instance. Deregisters implicitly (with
 * a warning) if needed; postponed until the current callback returns when
 * called from one; a stale handle is detected, logged and ignored. */
CPNATFWT_API VOID WINAPI CPNatfwtDestroyProviderInstance(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance);

/* Hands natfwt one IP packet received from a peer (a chain is one packet).
 * Without a completion routine the packet is written into the interface (a
 * chain gathered) before return: S_OK; the routine is never called.
 * With one [DECISION]: a one-segment chain is validated, queued and the call
 * returns HRESULT_FROM_WIN32(ERROR_IO_PENDING). natfwt then owns the chain
 * and the IDs until it calls the routine exactly once, on its own thread,
 * possibly before this call returned. A writer thread per instance writes
 * the queued packets in batches (many packets per interface write) and
 * completes them in order with S_OK (written), ERROR_NO_SYSTEM_RESOURCES or
 * ERROR_INVALID_STATE (the interface refused it), or
 * ERROR_OPERATION_ABORTED (the session ended first: TERMINATE or
 * Deregister; Deregister returns after the last completion, unless a
 * completion routine calls it). The routine may call this function again.
 * At most 1024 indications per instance wait for the writer; more are
 * refused at once with ERROR_NO_SYSTEM_RESOURCES. A chain of several
 * segments is gathered and written at once instead: S_OK, no completion.
 * Errors (routine not called): E_INVALIDARG, E_POINTER,
 * HRESULT_FROM_WIN32(ERROR_INVALID_STATE | ERROR_NOT_FOUND |
 * ERROR_INVALID_DATA | ERROR_NO_SYSTEM_RESOURCES). */
CPNATFWT_API HRESULT WINAPI CPNatfwtIndicateReceivedBuffers(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* localTransportId,
    CPNATFWT_IN CPNATFWT_TRANSPORT_ID* remoteTransportId,
    CPNATFWT_IN CPNATFWT_BUFFER* bufferChain,
    CPNATFWT_IN_OPT PVOID completionContext,
    CPNATFWT_IN_OPT CPNATFWT_PROVIDER_COMPLETION_ROUTINE completionRoutine);

/* Ties the instance to a virtual interface. interfaceFriendlyName: NULL =
 * default name; clashes get " #k"; cut to CPNATFWT_MAX_INTERFACE_NAME_LENGTH.
 * *interfaceLuid: 0 = new interface, else one tied to this provider before;
 * receives the LUID in use on S_OK: the OS's own LUID of the interface where
 * the OS has LUIDs (Windows: the Wintun adapter's, spec 9), else one natfwt
 * synthesises (IfType 131, Linux). Deviation from spec 4.2 ("otherwise the
 * one requested"): the output can differ from a nonzero input, when the
 * input is natfwt's own LUID of the interface (earlier natfwt builds gave
 * it out on Windows too) or Windows gave the re-created adapter another
 * LUID; the input still finds the interface. Store the output and pass it
 * next time. flags: 0. sddl: NULL or the subset of spec D8. Returns S_OK;
 * E_INVALIDARG / HRESULT_FROM_WIN32(ERROR_NOT_FOUND) (change arguments);
 * HRESULT_FROM_WIN32(ERROR_BUSY | ERROR_SERVICE_NOT_ACTIVE) (retry later);
 * E_ACCESSDENIED / HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED) /
 * E_OUTOFMEMORY (give up); HRESULT_FROM_WIN32(ERROR_INVALID_STATE). */
CPNATFWT_API HRESULT WINAPI CPNatfwtRegisterProviderInstance(
    CPNATFWT_IN CPNATFWT_PROVIDER_INSTANCE providerInstance,
    CPNATFWT_IN_OPT WCHAR* interfaceFriendlyName,
    CPNATFWT_INOUT_OPT IF_LUID* interfaceLuid, CPNATFWT_IN ULONG flags,
    CPNATFWT_IN_OPT WCHAR* sddl);

/* _FUNC typedefs for loading the library at run time. */
typedef HRESULT(WINAPI CPNATFWT_CREATE_PROVIDER_INSTANCE_FUNC)(
    const CPNATFWT_PROVIDER_CALLBACKS*, PVOID, CPNATFWT_PROVIDER_INSTANCE*);
typedef HRESULT(WINAPI CPNATFWT_DEREGISTER_PROVIDER_INSTANCE_FUNC)(
    CPNATFWT_PROVIDER_INSTANCE);
typedef VOID(WINAPI CPNATFWT_DESTROY_PROVIDER_INSTANCE_FUNC)(
    CPNATFWT_PROVIDER_INSTANCE);
typedef HRESULT(WINAPI CPNATFWT_INDICATE_RECEIVED_BUFFERS_FUNC)(
    CPNATFWT_PROVIDER_INSTANCE, CPNATFWT_TRANSPORT_ID*, CPNATFWT_TRANSPORT_ID*,
    CPNATFWT_BUFFER*, PVOID, CPNATFWT_PROVIDER_COMPLETION_ROUTINE);
typedef HRESULT(WINAPI CPNATFWT_REGISTER_PROVIDER_INSTANCE_FUNC)(
    CPNATFWT_PROVIDER_INSTANCE, WCHAR*, IF_LUID*, ULONG, WCHAR*);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* ABI layout pins (spec 3.5, 3.6, 3.9): every compile of this header checks
 * them. */
#if defined(__cplusplus)
#define CPNATFWT_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define CPNATFWT_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#include <stddef.h>
CPNATFWT_STATIC_ASSERT(sizeof(ULONG) == 4, "ULONG is 32-bit");
CPNATFWT_STATIC_ASSERT(sizeof(USHORT) == 2, "USHORT is 16-bit");
CPNATFWT_STATIC_ASSERT(sizeof(HRESULT) == 4, "HRESULT is 32-bit");
CPNATFWT_STATIC_ASSERT(sizeof(IF_LUID) == 8, "IF_LUID is 64-bit");
CPNATFWT_STATIC_ASSERT(sizeof(GUID) == 16, "GUID is 16 bytes");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_BUFFER, next) == 0, "BUFFER.next");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_BUFFER, size) == sizeof(void*),
                       "BUFFER.size");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_BUFFER, buffer) == 2 * sizeof(void*),
                       "BUFFER.buffer");
CPNATFWT_STATIC_ASSERT(sizeof(CPNATFWT_BUFFER) == 3 * sizeof(void*),
                       "BUFFER is 24 bytes on 64-bit, 12 on 32-bit");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_TRANSPORT_ID, size) == 0,
                       "TRANSPORT_ID.size");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_TRANSPORT_ID, transportId) ==
                           sizeof(void*),
                       "TRANSPORT_ID.transportId");
CPNATFWT_STATIC_ASSERT(sizeof(CPNATFWT_TRANSPORT_ID) == 2 * sizeof(void*),
                       "TRANSPORT_ID is 16 bytes on 64-bit, 8 on 32-bit");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_PROVIDER_CALLBACKS, providerId) == 8,
                       "CALLBACKS.providerId");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_PROVIDER_CALLBACKS,
                                establishSessionIndication) == 24,
                       "CALLBACKS.establishSessionIndication");
CPNATFWT_STATIC_ASSERT(offsetof(CPNATFWT_PROVIDER_CALLBACKS, sendBuffers) ==
                           24 + 7 * sizeof(void*),
                       "CALLBACKS.sendBuffers");
CPNATFWT_STATIC_ASSERT(sizeof(CPNATFWT_PROVIDER_CALLBACKS) ==
                           24 + 8 * sizeof(void*),
                       "CALLBACKS is 88 bytes on 64-bit, 56 on 32-bit");
CPNATFWT_STATIC_ASSERT(CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR ==
                           4,
                       "termination reasons are 0..4");
#undef CPNATFWT_STATIC_ASSERT

#endif /* CPNATFWT_H_ */
