// Copyright 2026 The natfwt Authors.
//
// Association records (spec 6.5) and their text file format, as pure
// functions (text in, table or Status out) so the parser can be fuzzed.
//
// An association record ties a provider identity (D7) to an interface: its
// LUID, friendly name, kernel name and addresses, so that a provider passing
// the same LUID in a later session gets the same interface back.
//
// A record has two LUIDs. `luid` is natfwt's own (luid.h: IfType 131 and an
// index from the store's counter): the record's key, which also fixes the
// kernel name and with it the interface itself (Windows: the Wintun adapter
// GUID is derived from the kernel name, tun_wintun.cc). `os_luid` is the
// operating system's LUID of that interface when the OS has LUIDs (Windows),
// as last seen; it is what providers are given there (spec 9).
//
// File format (UTF-8, one item per line, '\n' line ends):
//
//   # natfwt interface associations (spec 6.5) ...     <- comment lines
//   natfwt-associations 2                               <- header: version
//   next-index 4                                        <- next NetLuidIndex
//   record <identity> <luid> <os-luid> <friendly> <kernel> <prefix> <ipv6>
//          <ipv4> <time>                                <- one line
//   ...
//   end 2                                               <- number of records
//
// Versions: 1 has no <os-luid> field (8 fields after "record"); 2 adds it
// after <luid> (9 fields). Both are read. FormatAssociations writes the
// lowest version that holds the table: 1 while no record has an OS LUID
// (always on Linux, so older natfwt builds still read those files), else 2.
//
// Fields are separated by exactly one space:
//   identity  provider identity (provider_identity.h), escaped
//   luid      "0x" + 16 lowercase hex digits, e.g. 0x0083000001000000
//   os-luid   (version 2) the OS's LUID in the same form, non-zero, or "-"
//             when the record has none
//   friendly  friendly name, escaped (may contain any Unicode but controls)
//   kernel    kernel interface name, escaped
//   prefix    the IPv6 /64 in RFC 5952 text, e.g. fd12:3456:789a:1::/64
//   ipv6      the local IPv6 address in RFC 5952 text
//   ipv4      the local IPv4 address, or "-" when there is none
//   time      last use, RFC 3339 in UTC with full precision, as
//             absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone())
//
// Escaping: the bytes '%', space, 0x00-0x1F and 0x7F are written as "%XX"
// (two uppercase hex digits); every other byte (including UTF-8 sequences)
// is written as is.
//
// The parser is strict: every field must be in exactly the canonical form
// the formatter writes (so "%41", "0X...", "fd12:0::/64", a "+01:00" time
// offset or a leading zero are all rejected), every record must pass
// ValidateAssociationRecord, LUIDs, OS LUIDs, kernel names and friendly
// names must be unique, every LUID index must be below next-index, and the
// "end" count must match. Comment lines ('#' first) may appear anywhere and are
// dropped.
//
// Thread-safety: pure functions on values.

#ifndef NATFWT_FACADE_IDENTITY_ASSOCIATION_FORMAT_H_
#define NATFWT_FACADE_IDENTITY_ASSOCIATION_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "platform/net/ip_address.h"

namespace natfwt::cp {

// The versions this code reads: kMinAssociationFormatVersion (no OS LUIDs)
// to kAssociationFormatVersion (with them).
inline constexpr int kMinAssociationFormatVersion = 1;
inline constexpr int kAssociationFormatVersion = 2;

// One association (spec 6.5).
struct AssociationRecord {
  // Provider identity (D7), e.g. "guid:..." or "uid:1000".
  std::string provider_identity;
  // natfwt's IF_LUID value (luid.h): IfType 131, NetLuidIndex >= 1,
  // Reserved 0. The record's key; allocated by the store.
  uint64_t luid = 0;
  // The OS's NET_LUID of the interface (VirtualInterface::luid(), non-zero)
  // when the backend had one at the last registration (Windows); unset on
  // systems without LUIDs (Linux) and in records from version-1 files.
  std::optional<uint64_t> os_luid;
  // UTF-8 friendly name (ValidateFriendlyName).
  std::string friendly_name;
  // Kernel interface name (ValidateKernelInterfaceName), e.g. "cpnat3".
  std::string kernel_name;
  // The record's IPv6 /64 (host bits zero), normally an RFC 4193 ULA.
  net::IpPrefix ula_prefix;
  // The local IPv6 address (inside ula_prefix): the local transport ID.
  net::IpAddress ipv6_address;
  // The local IPv4 address, when the IPv4 plan is on.
  std::optional<net::IpAddress> ipv4_address;
  // Wall-clock time of the last registration that used the record.
  absl::Time last_used;

  bool operator==(const AssociationRecord& other) const = default;
};

// The whole content of a store file.
struct AssociationTable {
  // The NetLuidIndex the next allocation gets: 1 in a new store, always
  // greater than every record's index, never decreasing (indices are never
  // reused), at most kMaxNetLuidIndex + 1 (then the store is full).
  uint32_t next_index = 1;
  std::vector<AssociationRecord> records;

  bool operator==(const AssociationTable& other) const = default;
};

// Checks one record on its own (not uniqueness, not next-index):
// provider identity (ValidateProviderIdentity), LUID layout (IfType 131,
// Reserved 0, index >= 1), OS LUID (non-zero when set), friendly name
// (ValidateFriendlyName), kernel name (ValidateKernelInterfaceName), prefix
// (IPv6, /64, host bits zero), IPv6 address (inside the prefix, interface
// identifier not reserved per IsReservedInterfaceId), IPv4 address (IPv4 when
// present), last_used (finite). Returns kInvalidArgument naming the first bad
// field.
absl::Status ValidateAssociationRecord(const AssociationRecord& record);

// Checks a whole table: every record (ValidateAssociationRecord), unique
// LUIDs, OS LUIDs, kernel names and friendly names (an OS LUID may equal
// another record's own LUID: they are looked up OS LUIDs first), every LUID
// index below next_index, next_index in [1, kMaxNetLuidIndex + 1]. Returns
// kInvalidArgument naming the first problem (and the record's LUID).
absl::Status ValidateAssociationTable(const AssociationTable& table);

// Parses a version-1 or version-2 file. Errors:
//   kDataLoss: anything malformed, as "line N: <problem>" (N counts from 1,
//     comment lines included; a problem of the whole file, such as a
//     missing "end" line, names the line after the last one);
//   kFailedPrecondition: a header with another version (written by a newer
//     natfwt; not corrupt, but not readable here).
absl::StatusOr<AssociationTable> ParseAssociations(absl::string_view text);

// The version FormatAssociations writes for `table`: 2 when a record has an
// OS LUID, else 1.
int AssociationFormatVersionFor(const AssociationTable& table);

// Writes `table` in format AssociationFormatVersionFor(table), records
// sorted by LUID, starting with a comment line. For a table that passes
// ValidateAssociationTable, ParseAssociations(FormatAssociations(t)) gives
// back `t` with its records sorted by LUID.
std::string FormatAssociations(const AssociationTable& table);

// The escaping used for string fields (exposed for tests and tools).
std::string EscapeAssociationField(absl::string_view raw);
// Inverse of EscapeAssociationField; accepts only the canonical escaped
// form. Returns kInvalidArgument otherwise.
absl::StatusOr<std::string> UnescapeAssociationField(absl::string_view field);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_ASSOCIATION_FORMAT_H_
