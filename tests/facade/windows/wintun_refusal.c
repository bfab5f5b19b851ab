/* Copyright 2026 The natfwt Authors.
 *
 * wintun_refusal: a provider on Windows without wintun.dll. Through
 * cpnatfwt.dll's public API, with the default (kernel, i.e. Wintun) backend:
 * registering must fail cleanly with HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
 * twice in a row, and the instance must still deregister (no-op) and be
 * destroyed. Runs under Wine, which has no Wintun driver.
 *
 * Its state directory is a fresh one under %TEMP%, removed at the end.
 * Exit status: 0 pass, 1 fail, 77 (skip) when a wintun.dll is installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpnatfwt.h"

static int g_failures = 0;

static void Expect(int ok, const char* what) {
  if (ok) return;
  ++g_failures;
  fprintf(stderr, "wintun_refusal: FAIL: %s\n", what);
}

static VOID CALLBACK OnTerminate(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context,
                                 CPNATFWT_SESSION_TERMINATION_REASON reason) {
  (void)instance;
  (void)reason;
  ++*(int*)context;
}

/* The required callbacks; none may run, since no session is established. */
static VOID CALLBACK OnEstablish(CPNATFWT_PROVIDER_INSTANCE instance,
                                 PVOID context) {
  (void)instance;
  ++*(int*)context;
}

static HRESULT CALLBACK OnTransition(
    CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
    PVOID completion_context, CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)completion_context;
  (void)routine;
  ++*(int*)context;
  return S_OK;
}

static HRESULT CALLBACK
OnTransportId(CPNATFWT_PROVIDER_INSTANCE instance, PVOID context,
              CPNATFWT_TRANSPORT_ID* transport_id, PVOID completion_context,
              CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)transport_id;
  (void)completion_context;
  (void)routine;
  ++*(int*)context;
  return S_OK;
}

static HRESULT CALLBACK OnSend(CPNATFWT_PROVIDER_INSTANCE instance,
                               PVOID context, CPNATFWT_TRANSPORT_ID* local_id,
                               CPNATFWT_TRANSPORT_ID* remote_id,
                               UINT64 endpoint_luid, CPNATFWT_BUFFER* chain,
                               PVOID completion_context,
                               CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  (void)instance;
  (void)local_id;
  (void)remote_id;
  (void)endpoint_luid;
  (void)chain;
  (void)completion_context;
  (void)routine;
  ++*(int*)context;
  return S_OK;
}

/* Deletes every file in `directory`, then the directory. */
static void RemoveTree(const char* directory) {
  char pattern[MAX_PATH];
  char path[MAX_PATH];
  WIN32_FIND_DATAA found;
  HANDLE search;
  snprintf(pattern, sizeof pattern, "%s\\*", directory);
  search = FindFirstFileA(pattern, &found);
  if (search != INVALID_HANDLE_VALUE) {
    do {
      if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) continue;
      snprintf(path, sizeof path, "%s\\%s", directory, found.cFileName);
      DeleteFileA(path);
    } while (FindNextFileA(search, &found));
    FindClose(search);
  }
  RemoveDirectoryA(directory);
}

int main(void) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks;
  CPNATFWT_PROVIDER_INSTANCE instance = NULL;
  IF_LUID luid;
  char temp[MAX_PATH];
  char state[MAX_PATH];
  int callbacks_run = 0;
  int attempt;
  HMODULE wintun = LoadLibraryExA("wintun.dll", NULL,
                                  LOAD_LIBRARY_AS_DATAFILE |
                                      LOAD_LIBRARY_SEARCH_APPLICATION_DIR |
                                      LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (wintun != NULL) {
    FreeLibrary(wintun);
    fprintf(stderr, "wintun_refusal: SKIP: a wintun.dll is installed\n");
    return 77;
  }
  if (GetTempPathA(sizeof temp, temp) == 0) return 1;
  snprintf(state, sizeof state, "%snatfwt-refusal-%lu", temp,
           (unsigned long)GetCurrentProcessId());
  _putenv_s("NATFWT_STATE_DIR", state);
  _putenv_s("NATFWT_CP_BACKEND", "kernel");

  memset(&callbacks, 0, sizeof callbacks);
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = (USHORT)sizeof callbacks;
  callbacks.establishSessionIndication = OnEstablish;
  callbacks.terminateSessionIndication = OnTerminate;
  callbacks.transitionActive = OnTransition;
  callbacks.addTransportId = OnTransportId;
  callbacks.reachTransportId = OnTransportId;
  callbacks.sendBuffers = OnSend;
  Expect(CPNatfwtCreateProviderInstance(&callbacks, &callbacks_run,
                                        &instance) == S_OK,
         "CreateProviderInstance");
  for (attempt = 0; attempt < 2 && instance != NULL; ++attempt) {
    HRESULT hr;
    luid.Value = 0;
    hr = CPNatfwtRegisterProviderInstance(instance, L"refused", &luid, 0, NULL);
    if (hr != HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)) {
      fprintf(stderr, "wintun_refusal: Register returned 0x%08lX\n",
              (unsigned long)hr);
    }
    Expect(hr == HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
           "Register answers ERROR_NOT_SUPPORTED without wintun.dll");
    Expect(luid.Value == 0, "no LUID is reported for a refused interface");
  }
  if (instance != NULL) {
    HRESULT hr = CPNatfwtDeregisterProviderInstance(instance);
    /* Spec 4.3: never successfully registered -> ERROR_INVALID_STATE. */
    Expect(hr == HRESULT_FROM_WIN32(ERROR_INVALID_STATE),
           "Deregister after a refused Register is ERROR_INVALID_STATE");
    CPNatfwtDestroyProviderInstance(instance);
  }
  Expect(callbacks_run == 0, "no callback runs for a refused interface");
  RemoveTree(state);
  if (g_failures == 0) printf("wintun_refusal: PASS\n");
  return g_failures == 0 ? 0 : 1;
}
