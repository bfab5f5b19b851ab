// Copyright 2026 The natfwt Authors.
//
// AssociationStore: the persistent association records of spec 6.5, one
// text file in a private state directory.
//
// A record ties a provider identity (D7) to an interface: LUID, the OS's
// LUID where there is one, friendly name, kernel name, IPv6 /64 and
// addresses (association_format.h). When a provider registers with LUID 0
// the runtime Allocates a fresh record, picks the friendly name
// (interface_name.h) and Saves it with the interface's OS LUID, if any; when
// it registers with a non-zero LUID the runtime looks it up with FindByLuid,
// which succeeds only for the same provider identity, and Saves it again
// with a new last_used time (and the OS LUID seen this time). Records unused
// for 90 days are dropped by Expire; an admin tool can Remove them.
//
// A LUID names a record when it is the record's OS LUID, or else its own
// (natfwt) LUID: OS LUIDs are looked at first. So the LUID a provider was
// given (the OS's where there is one, spec 9) and natfwt's own (from files
// written before OS LUIDs were kept, or from a backend without them) both
// find the record.
//
// Files in the directory:
//   associations.v1       the records (association_format.h; the name stays,
//                         the header line gives the format version), mode
//                         0600, replaced atomically on every change;
//   associations.v1.tmp   transient, during a write;
//   associations.lock     the flock() lock file serialising every operation.
//
// Every operation re-reads the file under the lock (shared for reads,
// exclusive for read-modify-write), so several stores on one directory, in
// one process or in several, always see each other's changes and never lose
// an update. The file is small (a line per interface) and operations happen
// once per registration, so re-reading costs nothing that matters.
//
//   NATFWT_ASSIGN_OR_RETURN(AssociationStore store,
//                           AssociationStore::Open("/var/lib/natfwt"));
//   absl::BitGen gen;
//   NATFWT_ASSIGN_OR_RETURN(AssociationRecord record,
//                           store.Allocate(identity, gen, absl::Now()));
//   record.friendly_name = MakeUniqueFriendlyName(requested, taken,
//                                                 kMaxFriendlyNameUtf16Units);
//   NATFWT_RETURN_IF_ERROR(store.Save(record));
//
// Thread-safety: a store holds only its directory path, and every operation
// takes the directory's lock (each call opens its own lock descriptor), so
// calls may come from any thread, or from several processes, and are
// serialised. The runtime nevertheless uses one store under its own lock.
// Operations block while another process holds the lock (they are short);
// do not call them from a packet path.

#ifndef NATFWT_FACADE_IDENTITY_ASSOCIATION_STORE_H_
#define NATFWT_FACADE_IDENTITY_ASSOCIATION_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/random/bit_gen_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "facade/identity/association_format.h"
#include "platform/net/ip_address.h"

namespace natfwt::cp {

// Spec 6.5: records are removed after 90 days without use.
inline constexpr absl::Duration kDefaultAssociationMaxAge =
    absl::Hours(24 * 90);

// Largest store file read (implementation choice: ~300 bytes per record, so
// tens of thousands of interfaces; anything bigger is not a store file).
inline constexpr size_t kMaxAssociationFileBytes = 16 * 1024 * 1024;

// Extra choices for Allocate.
struct AllocateOptions {
  // When set, the record also gets an IPv4 address from this pool (spec 7.3,
  // normally DefaultIpv4Pool()), distinct from every other record's.
  std::optional<net::IpPrefix> ipv4_pool;
};

class AssociationStore {
 public:
  static constexpr absl::string_view kFileName = "associations.v1";
  static constexpr absl::string_view kLockFileName = "associations.lock";

  // Opens the store in `directory`, creating the directory (and missing
  // parents) with mode 0700 when needed, and checks that the file (if any)
  // parses. Errors: kInvalidArgument for an empty path; kPermissionDenied
  // when the directory or file cannot be created, read or locked (message
  // names the path); kFailedPrecondition when a path component is not a
  // directory, the file is a symbolic link, or the file has an unsupported
  // format version; kDataLoss for a corrupt file, as "<path>: line N: ...";
  // kUnimplemented on systems without a file backend.
  static absl::StatusOr<AssociationStore> Open(std::string directory);

  AssociationStore(AssociationStore&&) = default;
  AssociationStore& operator=(AssociationStore&&) = default;

  const std::string& directory() const { return directory_; }
  // directory() + "/" + kFileName.
  std::string file_path() const;

  // The record that `luid` names (an OS LUID or natfwt's own, see above),
  // when it belongs to `provider_identity`. Errors: kNotFound "no association
  // for LUID ..." when there is none; kNotFound "... belongs to another
  // provider" when it belongs to a different identity (spec 4.2: both are
  // ERROR_NOT_FOUND for the provider; the messages differ for logs); the Open
  // errors for file problems.
  absl::StatusOr<AssociationRecord> FindByLuid(
      uint64_t luid, absl::string_view provider_identity) const;

  // Reserves a new LUID for `provider_identity` and returns a record for it
  // that is not stored yet: LUID = IfType 131 | NetLuidIndex (bits 24-47)
  // from the store's persistent counter (spec 3.2, 9), kernel name
  // KernelInterfaceName(index), a random ULA /64 not used by another record,
  // a random IPv6 address in it, an IPv4 address when options.ipv4_pool is
  // set, last_used = `now`, and an EMPTY friendly_name that the caller must
  // fill in before Save. The counter increment is persisted before
  // returning, so an index is never handed out twice, even if the record is
  // never saved. Indices whose kernel name another record already uses are
  // skipped. Errors: kInvalidArgument for a bad identity or IPv4 pool;
  // kResourceExhausted when all 2^24 - 1 indices are used up, or the IPv4
  // pool is full; the Open errors for file problems.
  absl::StatusOr<AssociationRecord> Allocate(
      absl::string_view provider_identity, absl::BitGenRef gen, absl::Time now,
      const AllocateOptions& options = {});

  // Inserts `record`, or replaces the stored record with the same LUID
  // (record.luid, natfwt's own), and writes the file atomically. The OS
  // LUID is not allocated here: any non-zero value is taken, and another
  // record still holding the same OS LUID loses it (the OS gives a LUID to
  // one interface at a time, and may reuse that of an interface that is
  // gone). Errors: kInvalidArgument when the record fails
  // ValidateAssociationRecord or its LUID index was never allocated by this
  // store; kFailedPrecondition when the stored record with this LUID belongs
  // to another provider identity (Remove it first); kAlreadyExists when
  // another record has the same kernel or friendly name; the Open errors for
  // file problems.
  absl::Status Save(const AssociationRecord& record);

  // Deletes the record that `luid` names (as FindByLuid; whoever owns it:
  // meant for the admin tool and for the runtime's own records). Its index
  // is not reused.
  // Errors: kNotFound when there is none; the Open errors.
  absl::Status Remove(uint64_t luid);

  // Deletes every record whose last_used is more than `max_age` before
  // `now` (spec 6.5: kDefaultAssociationMaxAge) and returns how many were
  // deleted; the file is rewritten only when that is not 0. Records used
  // "in the future" (the wall clock went back) are kept. Errors: the Open
  // errors.
  absl::StatusOr<size_t> Expire(absl::Time now, absl::Duration max_age);

  // Every record, sorted by LUID. Errors: the Open errors.
  absl::StatusOr<std::vector<AssociationRecord>> Records() const;

 private:
  explicit AssociationStore(std::string directory)
      : directory_(std::move(directory)) {}

  std::string lock_path() const;
  // Reads and parses the file; the caller holds the lock.
  absl::StatusOr<AssociationTable> Load() const;
  // Runs `change` on the current table under the exclusive lock and writes
  // the result when `change` returns true. `change` returns false for "no
  // change" or an error.
  absl::Status Mutate(
      absl::FunctionRef<absl::StatusOr<bool>(AssociationTable&)> change);
  // Load() under a shared lock.
  absl::StatusOr<AssociationTable> Read() const;

  std::string directory_;
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_ASSOCIATION_STORE_H_
