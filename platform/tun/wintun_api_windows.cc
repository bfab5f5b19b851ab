// Copyright 2026 The natfwt Authors.
//
// wintun_api.h: loading wintun.dll into typed function pointers.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/logging.h"
#include "platform/sys/win32_status.h"
#include "platform/tun/wintun_api.h"

namespace natfwt::tun {
namespace {

ABSL_CONST_INIT absl::Mutex g_mutex(absl::kConstInit);
WintunApi* g_api ABSL_GUARDED_BY(g_mutex) = nullptr;

// Wintun calls this from its own threads.
VOID CALLBACK ForwardLog(WINTUN_LOGGER_LEVEL level, DWORD64 /*timestamp*/,
                         LPCWSTR message) {
  const std::string text = sys::WideToUtf8(message != nullptr ? message : L"");
  switch (level) {
    case WINTUN_LOG_ERR:
      NATFWT_LOG(kError) << "wintun: " << text;
      break;
    case WINTUN_LOG_WARN:
      NATFWT_LOG(kWarning) << "wintun: " << text;
      break;
    default:
      NATFWT_LOG(kInfo) << "wintun: " << text;
      break;
  }
}

// Resolves `name` into `*slot` with the export's own typedef.
template <typename Function>
absl::Status Resolve(HMODULE module, const char* name, Function** slot) {
  FARPROC address = GetProcAddress(module, name);
  if (address == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("wintun.dll has no export ", name,
                     " (Wintun 0.14 or newer from wintun.net is needed)"));
  }
  // FARPROC to the export's real type: the documented way to use
  // GetProcAddress; the cast goes through void* to silence
  // -Wcast-function-type.
  *slot = reinterpret_cast<Function*>(reinterpret_cast<void*>(address));
  return absl::OkStatus();
}

absl::Status ResolveAll(WintunApi& api) {
  HMODULE m = api.module;
  for (absl::Status status : {
           Resolve(m, "WintunCreateAdapter", &api.CreateAdapter),
           Resolve(m, "WintunCloseAdapter", &api.CloseAdapter),
           Resolve(m, "WintunGetAdapterLUID", &api.GetAdapterLUID),
           Resolve(m, "WintunGetRunningDriverVersion",
                   &api.GetRunningDriverVersion),
           Resolve(m, "WintunSetLogger", &api.SetLogger),
           Resolve(m, "WintunStartSession", &api.StartSession),
           Resolve(m, "WintunEndSession", &api.EndSession),
           Resolve(m, "WintunGetReadWaitEvent", &api.GetReadWaitEvent),
           Resolve(m, "WintunReceivePacket", &api.ReceivePacket),
           Resolve(m, "WintunReleaseReceivePacket", &api.ReleaseReceivePacket),
           Resolve(m, "WintunAllocateSendPacket", &api.AllocateSendPacket),
           Resolve(m, "WintunSendPacket", &api.SendPacket),
       }) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<const WintunApi*> LoadWintun() {
  absl::MutexLock lock(&g_mutex);
  if (g_api != nullptr) return g_api;
  // Only the program's directory and System32: never the current directory
  // or PATH (DLL planting).
  HMODULE module = LoadLibraryExW(
      L"wintun.dll", nullptr,
      LOAD_LIBRARY_SEARCH_APPLICATION_DIR | LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) {
    const DWORD error = GetLastError();
    if (error == ERROR_MOD_NOT_FOUND || error == ERROR_FILE_NOT_FOUND) {
      return absl::UnavailableError(
          "wintun.dll not found next to the program or in System32; "
          "install Wintun (wintun.net) to create virtual interfaces");
    }
    return sys::Win32Status(error, "LoadLibraryExW", "wintun.dll");
  }
  auto api = std::make_unique<WintunApi>();
  api->module = module;
  if (absl::Status status = ResolveAll(*api); !status.ok()) {
    FreeLibrary(module);
    return status;
  }
  api->SetLogger(ForwardLog);
  g_api = api.release();  // Lives as long as the process.
  return g_api;
}

}  // namespace natfwt::tun
