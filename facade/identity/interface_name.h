// Copyright 2026 The natfwt Authors.
//
// Interface names of a CP interface (spec 3.3, 4.2, 6.5, 9; decisions D6,
// D17):
//
//   * the friendly name a provider passes to CPNatfwtRegisterProviderInstance
//     as a NUL-terminated WCHAR string. It is converted to UTF-8 at the API
//     boundary (WideToUtf8), cut silently to CPNATFWT_MAX_INTERFACE_NAME_LENGTH
//     UTF-16 code units, and made unique among the names already in use
//     (MakeUniqueFriendlyName). On Linux it becomes the interface's
//     IFLA_IFALIAS, on Windows the adapter alias.
//   * the kernel interface name (Linux ifname), which has a 15-byte limit and
//     is therefore generated from the LUID index (KernelInterfaceName).
//
// Lengths are always counted in UTF-16 code units, as Windows counts WCHARs:
// a character outside the Basic Multilingual Plane (e.g. U+1F600) counts 2,
// on every platform, so a name accepted on Linux is accepted on Windows.
//
//   bool truncated = false;
//   NATFWT_ASSIGN_OR_RETURN(std::string name,
//       WideToUtf8(provider_name, kMaxFriendlyNameUtf16Units, &truncated));
//   std::string unique = MakeUniqueFriendlyName(name, names_in_use,
//                                               kMaxFriendlyNameUtf16Units);
//
// Thread-safety: every function here is pure (no state) and may be called
// from any thread.

#ifndef NATFWT_FACADE_IDENTITY_INTERFACE_NAME_H_
#define NATFWT_FACADE_IDENTITY_INTERFACE_NAME_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natfwt::cp {

// CPNATFWT_MAX_INTERFACE_NAME_LENGTH (spec 3.3, D6): the longest friendly
// name, in UTF-16 code units, not counting the terminating NUL. The .cc
// static_asserts that this equals the value in cpnatfwt.h.
inline constexpr size_t kMaxFriendlyNameUtf16Units = 256;

// How far WideToUtf8 and friends look for the terminating NUL before they
// give up: a hostile or buggy provider may pass an unterminated buffer.
// Implementation choice: 64 Ki units, far above any legitimate name (which is
// cut to 256 units anyway). Reading stops after this many units.
inline constexpr size_t kMaxWideScanUnits = 64 * 1024;

// Default friendly-name base when the provider passes no name (spec 6.5,
// D17). Deliberately not "Microsoft Connectivity Platform Adapter" so natfwt
// does not pose as Microsoft software; the runtime's configuration may
// replace it (pass the configured base as `requested`).
inline constexpr absl::string_view kDefaultAdapterBaseName =
    "Connectivity Platform Adapter";

// Prefix of generated kernel interface names (spec 9: "cpnat%u").
inline constexpr absl::string_view kKernelInterfacePrefix = "cpnat";

// Longest kernel interface name on Linux: IFNAMSIZ (16) - 1 for the NUL.
inline constexpr size_t kMaxKernelInterfaceNameBytes = 15;

// Converts the NUL-terminated wide string `text` to UTF-8. wchar_t is UTF-16
// on Windows and UTF-32 on Linux; both are handled (chosen at compile time).
//
// The result is cut silently after at most `max_utf16_units` UTF-16 code
// units (spec 3.3: longer names are truncated without an error), never in the
// middle of a surrogate pair: a character that would cross the limit is
// dropped whole. `*truncated` (when `truncated` is not null) is set to
// whether anything was cut. The whole input is still validated, including
// the part that is cut off.
//
// Errors (all kInvalidArgument, the message naming the offending unit):
//   * `text` is null;
//   * no NUL within kMaxWideScanUnits units (unterminated or absurdly long);
//   * an invalid code point: above U+10FFFF, a surrogate code point in UTF-32,
//     or an unpaired surrogate in UTF-16;
//   * a control character (Unicode general category Cc: U+0000-U+001F,
//     U+007F-U+009F), which no interface name may contain.
// An empty input gives an empty string (the caller decides whether that
// means "use the default name").
absl::StatusOr<std::string> WideToUtf8(const wchar_t* text,
                                       size_t max_utf16_units, bool* truncated);

// The same conversion for explicit UTF-16 and UTF-32 input, whatever the
// platform's wchar_t is (WideToUtf8 forwards to one of them). Same contract
// and errors as WideToUtf8.
absl::StatusOr<std::string> Utf16ToUtf8(const char16_t* text,
                                        size_t max_utf16_units,
                                        bool* truncated);
absl::StatusOr<std::string> Utf32ToUtf8(const char32_t* text,
                                        size_t max_utf16_units,
                                        bool* truncated);

// Number of UTF-16 code units `utf8` needs: 2 for each 4-byte sequence, 1
// for every other character. Meant for valid UTF-8 (what WideToUtf8
// produces); on invalid input every byte that is not a continuation byte
// counts as one character, so the result stays a sane upper estimate.
size_t Utf16Length(absl::string_view utf8);

// The longest prefix of `utf8` that needs at most `max_units` UTF-16 code
// units, cut only at a character boundary (never inside a UTF-8 sequence,
// hence never inside a surrogate pair).
std::string TruncateUtf8ToUtf16Units(absl::string_view utf8, size_t max_units);

// Longest interface alias Linux stores (IFLA_IFALIAS): IFALIASZ (256) - 1
// bytes, see linux/if.h. A friendly name of 256 UTF-16 units can need up to
// 768 bytes of UTF-8, so the Linux backend cuts the alias it sets with
// TruncateUtf8ToBytes (spec D6: "also cut silently to the backend limit")
// while the association store keeps the full name.
inline constexpr size_t kMaxLinuxIfAliasBytes = 255;

// The longest prefix of `utf8` with at most `max_bytes` bytes that does not
// end inside a UTF-8 sequence.
std::string TruncateUtf8ToBytes(absl::string_view utf8, size_t max_bytes);

// Checks that `utf8` may be stored as a friendly name: well-formed UTF-8 (no
// overlong forms, surrogates or values above U+10FFFF), not empty, no
// control character (Cc), and at most kMaxFriendlyNameUtf16Units UTF-16
// units. Returns kInvalidArgument naming the first problem.
absl::Status ValidateFriendlyName(absl::string_view utf8);

// Picks the friendly name for a new interface (spec 4.2, 6.5).
//
//   * An empty `requested` means the default base kDefaultAdapterBaseName.
//   * The base is first cut to `max_utf16_units` (TruncateUtf8ToUtf16Units).
//   * If the base is not in `taken`, it is the result as is.
//   * Otherwise the suffix " #k" is appended for k = 2, 3, ... and the first
//     candidate not in `taken` is returned. Before appending, the base is
//     shortened (at a character boundary) so that base + suffix fits in
//     `max_utf16_units`; a base at the limit gives a result of exactly the
//     limit (one unit less when the cut falls before an astral character).
//
// Default-name numbering (decision, mirroring how Windows numbers its own
// adapters, e.g. "... Adapter", "... Adapter #2"): the default follows the
// same rule, so the first default interface is "Connectivity Platform
// Adapter" without a number, the next " #2", then " #3", ... The spec's
// "Adapter #N" therefore never shows "#1".
//
// Names compare exactly (byte for byte, so case-sensitively). `taken` should
// hold the names of every interface on the machine and of every stored
// association. Always terminates (at most taken.size() + 1 candidates are
// tried). `max_utf16_units` should be at least 8 so that a suffix fits; when
// it is too small for even the suffix, the result is the bare suffix and may
// exceed the limit. Never returns an empty string.
std::string MakeUniqueFriendlyName(
    absl::string_view requested, const absl::flat_hash_set<std::string>& taken,
    size_t max_utf16_units);

// The kernel interface name for LUID index `index` (spec 9): "cpnat<index>",
// e.g. "cpnat7". At most 15 bytes for every uint32_t, so it fits IFNAMSIZ.
std::string KernelInterfaceName(uint32_t index);

// Checks that `name` is acceptable as a kernel interface name: 1-15 bytes of
// printable ASCII, not "." or "..", and no '/', ':' or space (the Linux
// dev_valid_name() rules, restricted to ASCII). Returns kInvalidArgument
// naming the problem.
absl::Status ValidateKernelInterfaceName(absl::string_view name);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_INTERFACE_NAME_H_
