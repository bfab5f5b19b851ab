/* Copyright 2026 The natfwt Authors.
 *
 * abi_layout: prints the layout of every ABI type of cpnatfwt.h (sizes,
 * alignments, member offsets, bit-field placement, enum and status values),
 * one "name value" line each. Built as C and as C++ (abi_layout_cxx.cc
 * includes this file) and with several compilers; compare_layout.sh checks
 * that every build prints the same text, i.e. that C and C++ callers and the
 * library agree on the ABI.
 */
#include <stdio.h>

#include "cpnatfwt.h"

#ifdef __cplusplus
#define LAYOUT_ALIGNOF(type) alignof(type)
#else
#define LAYOUT_ALIGNOF(type) _Alignof(type)
#endif

#define TYPE(type)                                               \
  printf("%s size=%u align=%u\n", #type, (unsigned)sizeof(type), \
         (unsigned)LAYOUT_ALIGNOF(type))
#define MEMBER(type, member)                          \
  printf("%s.%s offset=%u size=%u\n", #type, #member, \
         (unsigned)offsetof(type, member),            \
         (unsigned)sizeof(((type*)0)->member))
#define VALUE(expression) \
  printf("%s = 0x%08lx\n", #expression, (unsigned long)(ULONG)(expression))

static void PrintScalars(void) {
  TYPE(HRESULT);
  TYPE(BYTE);
  TYPE(USHORT);
  TYPE(ULONG);
  TYPE(UINT64);
  TYPE(ULONG64);
  TYPE(PVOID);
  TYPE(WCHAR);
  TYPE(CPNATFWT_PROVIDER_INSTANCE);
  TYPE(CPNATFWT_SESSION_TERMINATION_REASON);
  TYPE(CPNATFWT_PLATFORM_COMPLETION_ROUTINE);
  TYPE(CPNATFWT_PROVIDER_COMPLETION_ROUTINE);
  TYPE(CPNATFWT_PROVIDER_SEND_BUFFERS);
}

static void PrintStructs(void) {
  TYPE(GUID);
  MEMBER(GUID, Data1);
  MEMBER(GUID, Data2);
  MEMBER(GUID, Data3);
  MEMBER(GUID, Data4);
  TYPE(IF_LUID);
  MEMBER(IF_LUID, Value);
  MEMBER(IF_LUID, Info);
  TYPE(CPNATFWT_BUFFER);
  MEMBER(CPNATFWT_BUFFER, next);
  MEMBER(CPNATFWT_BUFFER, size);
  MEMBER(CPNATFWT_BUFFER, buffer);
  TYPE(CPNATFWT_TRANSPORT_ID);
  MEMBER(CPNATFWT_TRANSPORT_ID, size);
  MEMBER(CPNATFWT_TRANSPORT_ID, transportId);
}

static void PrintCallbacks(void) {
  TYPE(CPNATFWT_PROVIDER_CALLBACKS);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, version);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, size);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, reserved);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, providerId);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, establishSessionIndication);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, terminateSessionIndication);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, transitionActive);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, transitionDormant);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, addTransportId);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, removeTransportId);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, reachTransportId);
  MEMBER(CPNATFWT_PROVIDER_CALLBACKS, sendBuffers);
}

/* Bit-fields have no offsetof: decode a known value through them. */
static void PrintLuidBits(void) {
  IF_LUID luid;
  luid.Value = 0x0083000001000000ull | 0x000000000000abcdull;
  printf("IF_LUID.Info Reserved=0x%lx NetLuidIndex=0x%lx IfType=%lu\n",
         (unsigned long)luid.Info.Reserved,
         (unsigned long)luid.Info.NetLuidIndex,
         (unsigned long)luid.Info.IfType);
}

static void PrintValues(void) {
  VALUE(CPNATFWT_MAX_INTERFACE_NAME_LENGTH);
  VALUE(CPNATFWT_REGISTER_FLAG_NONE);
  VALUE(CPNATFWT_PROVIDER_CALLBACKS_VERSION_1);
  VALUE(CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST);
  VALUE(CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN);
  VALUE(CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT);
  VALUE(CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
  VALUE(CPNATFWT_SESSION_TERMINATION_OTHER_COMMUNICATION_ERROR);
  VALUE(S_OK);
  VALUE(E_INVALIDARG);
  VALUE(E_POINTER);
  VALUE(E_OUTOFMEMORY);
  VALUE(E_ACCESSDENIED);
  VALUE(HRESULT_FROM_WIN32(ERROR_IO_PENDING));
  VALUE(HRESULT_FROM_WIN32(ERROR_INVALID_STATE));
  VALUE(HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  VALUE(HRESULT_FROM_WIN32(ERROR_BUSY));
  VALUE(HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE));
  VALUE(HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
  VALUE(HRESULT_FROM_WIN32(ERROR_DUP_NAME));
  VALUE(HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE));
  VALUE(HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED));
  VALUE(HRESULT_FROM_WIN32(ERROR_INVALID_DATA));
  VALUE(HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES));
}

int main(void) {
  PrintScalars();
  PrintStructs();
  PrintCallbacks();
  PrintLuidBits();
  PrintValues();
  return 0;
}
