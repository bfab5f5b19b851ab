// Copyright 2026 The natfwt Authors.
//
// Windows only. Wintun's public C API (https://www.wintun.net, wintun.h of
// Wintun 0.14: the _FUNC typedefs every export is declared with), written out
// here because no Debian package ships wintun.h, and the loader that resolves
// them from wintun.dll at run time (style C6.23: no link-time dependency, so
// natfwt starts without Wintun and says so cleanly).
//
// wintun.dll is searched for only in the directory of the program and in
// System32 (LoadLibraryExW with LOAD_LIBRARY_SEARCH_APPLICATION_DIR |
// LOAD_LIBRARY_SEARCH_SYSTEM32), never in the current directory or PATH, so
// a planted DLL elsewhere is not picked up. Wintun is distributed by its
// authors (wintun.net) under its own licence; natfwt does not ship it.
//
// Thread-safety: LoadWintun() may be called from any thread; the table it
// returns is immutable and lives until the process ends.

#ifndef NATFWT_PLATFORM_TUN_WINTUN_API_H_
#define NATFWT_PLATFORM_TUN_WINTUN_API_H_

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <ifdef.h>
// clang-format on

#include "absl/status/statusor.h"

extern "C" {

typedef struct _WINTUN_ADAPTER* WINTUN_ADAPTER_HANDLE;
typedef struct _TUN_SESSION* WINTUN_SESSION_HANDLE;

typedef enum {
  WINTUN_LOG_INFO,
  WINTUN_LOG_WARN,
  WINTUN_LOG_ERR
} WINTUN_LOGGER_LEVEL;

typedef VOID(CALLBACK WINTUN_LOGGER_CALLBACK)(WINTUN_LOGGER_LEVEL Level,
                                              DWORD64 Timestamp,
                                              LPCWSTR Message);

typedef WINTUN_ADAPTER_HANDLE(WINAPI WINTUN_CREATE_ADAPTER_FUNC)(
    LPCWSTR Name, LPCWSTR TunnelType, const GUID* RequestedGUID);
typedef WINTUN_ADAPTER_HANDLE(WINAPI WINTUN_OPEN_ADAPTER_FUNC)(LPCWSTR Name);
typedef VOID(WINAPI WINTUN_CLOSE_ADAPTER_FUNC)(WINTUN_ADAPTER_HANDLE Adapter);
typedef BOOL(WINAPI WINTUN_DELETE_DRIVER_FUNC)(VOID);
typedef VOID(WINAPI WINTUN_GET_ADAPTER_LUID_FUNC)(WINTUN_ADAPTER_HANDLE Adapter,
                                                  NET_LUID* Luid);
typedef DWORD(WINAPI WINTUN_GET_RUNNING_DRIVER_VERSION_FUNC)(VOID);
typedef VOID(WINAPI WINTUN_SET_LOGGER_FUNC)(WINTUN_LOGGER_CALLBACK* NewLogger);
typedef WINTUN_SESSION_HANDLE(WINAPI WINTUN_START_SESSION_FUNC)(
    WINTUN_ADAPTER_HANDLE Adapter, DWORD Capacity);
typedef VOID(WINAPI WINTUN_END_SESSION_FUNC)(WINTUN_SESSION_HANDLE Session);
typedef HANDLE(WINAPI WINTUN_GET_READ_WAIT_EVENT_FUNC)(
    WINTUN_SESSION_HANDLE Session);
typedef BYTE*(WINAPI WINTUN_RECEIVE_PACKET_FUNC)(WINTUN_SESSION_HANDLE Session,
                                                 DWORD* PacketSize);
typedef VOID(WINAPI WINTUN_RELEASE_RECEIVE_PACKET_FUNC)(
    WINTUN_SESSION_HANDLE Session, const BYTE* Packet);
typedef BYTE*(WINAPI WINTUN_ALLOCATE_SEND_PACKET_FUNC)(
    WINTUN_SESSION_HANDLE Session, DWORD PacketSize);
typedef VOID(WINAPI WINTUN_SEND_PACKET_FUNC)(WINTUN_SESSION_HANDLE Session,
                                             const BYTE* Packet);

}  // extern "C"

namespace natfwt::tun {

// Ring capacities a session accepts (wintun.h: WINTUN_MIN_RING_CAPACITY,
// WINTUN_MAX_RING_CAPACITY; powers of two) and the largest packet.
inline constexpr DWORD kWintunMinRingCapacity = 0x20000;    // 128 KiB
inline constexpr DWORD kWintunMaxRingCapacity = 0x4000000;  // 64 MiB
inline constexpr DWORD kWintunMaxPacketSize = 0xFFFF;

// Every export natfwt uses, resolved.
struct WintunApi {
  HMODULE module = nullptr;
  WINTUN_CREATE_ADAPTER_FUNC* CreateAdapter = nullptr;
  WINTUN_CLOSE_ADAPTER_FUNC* CloseAdapter = nullptr;
  WINTUN_GET_ADAPTER_LUID_FUNC* GetAdapterLUID = nullptr;
  WINTUN_GET_RUNNING_DRIVER_VERSION_FUNC* GetRunningDriverVersion = nullptr;
  WINTUN_SET_LOGGER_FUNC* SetLogger = nullptr;
  WINTUN_START_SESSION_FUNC* StartSession = nullptr;
  WINTUN_END_SESSION_FUNC* EndSession = nullptr;
  WINTUN_GET_READ_WAIT_EVENT_FUNC* GetReadWaitEvent = nullptr;
  WINTUN_RECEIVE_PACKET_FUNC* ReceivePacket = nullptr;
  WINTUN_RELEASE_RECEIVE_PACKET_FUNC* ReleaseReceivePacket = nullptr;
  WINTUN_ALLOCATE_SEND_PACKET_FUNC* AllocateSendPacket = nullptr;
  WINTUN_SEND_PACKET_FUNC* SendPacket = nullptr;
};

// Loads wintun.dll (see above) and resolves every export, the first time it
// succeeds; later calls return the same table. A failed load is not
// remembered, so installing wintun.dll while the program runs works.
// Wintun's own log lines are forwarded to NATFWT_LOG. Errors: kUnavailable
// "wintun.dll not found ..." when the DLL is in neither directory (the CP
// facade reports ERROR_NOT_SUPPORTED), kUnavailable naming the export when
// the DLL lacks one (too old, or not Wintun), other load failures mapped as
// in platform/sys/win32_status.h.
absl::StatusOr<const WintunApi*> LoadWintun();

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_WINTUN_API_H_
