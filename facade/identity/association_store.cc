// Copyright 2026 The natfwt Authors.

#include "facade/identity/association_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "facade/identity/address_plan.h"
#include "facade/identity/interface_name.h"
#include "facade/identity/luid.h"
#include "facade/identity/provider_identity.h"
#include "facade/identity/store_file.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::cp {
namespace {

// How many ULA prefixes Allocate draws before giving up on finding one no
// other record uses (2^56 possibilities: only a broken generator fails).
constexpr int kMaxPrefixDraws = 100;

std::string LuidText(uint64_t luid) { return absl::StrFormat("0x%016x", luid); }

// The first index at or after table.next_index whose kernel name no record
// uses (an admin may have given a record any kernel name).
absl::StatusOr<uint32_t> NextFreeIndex(const AssociationTable& table) {
  absl::flat_hash_set<std::string> kernel_names;
  for (const AssociationRecord& r : table.records)
    kernel_names.insert(r.kernel_name);
  for (uint64_t index = table.next_index; index <= kMaxNetLuidIndex; ++index) {
    if (!kernel_names.contains(
            KernelInterfaceName(static_cast<uint32_t>(index)))) {
      return static_cast<uint32_t>(index);
    }
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "all ", kMaxNetLuidIndex, " interface LUID indices have been used"));
}

absl::StatusOr<net::IpPrefix> UnusedUlaPrefix(const AssociationTable& table,
                                              absl::BitGenRef gen) {
  for (int draw = 0; draw < kMaxPrefixDraws; ++draw) {
    net::IpPrefix prefix = RandomUlaPrefix(gen);
    if (std::none_of(table.records.begin(), table.records.end(),
                     [&](const AssociationRecord& r) {
                       return r.ula_prefix == prefix;
                     })) {
      return prefix;
    }
  }
  return absl::ResourceExhaustedError("no unused ULA prefix after 100 draws");
}

absl::StatusOr<net::IpAddress> UnusedIpv4Address(const AssociationTable& table,
                                                 const net::IpPrefix& pool,
                                                 absl::BitGenRef gen) {
  std::vector<net::IpAddress> used;
  for (const AssociationRecord& r : table.records) {
    if (r.ipv4_address.has_value()) used.push_back(*r.ipv4_address);
  }
  return RandomIpv4Address(pool, gen, used);
}

// Builds the record for a new LUID and advances table.next_index past it.
absl::StatusOr<AssociationRecord> NewRecord(AssociationTable& table,
                                            absl::string_view identity,
                                            absl::BitGenRef gen, absl::Time now,
                                            const AllocateOptions& options) {
  NATFWT_ASSIGN_OR_RETURN(const uint32_t index, NextFreeIndex(table));
  AssociationRecord record;
  record.provider_identity = std::string(identity);
  record.luid = MakeNetLuid(kIfTypeTunnel, index);
  record.kernel_name = KernelInterfaceName(index);
  NATFWT_ASSIGN_OR_RETURN(record.ula_prefix, UnusedUlaPrefix(table, gen));
  NATFWT_ASSIGN_OR_RETURN(record.ipv6_address,
                          RandomInterfaceAddress(record.ula_prefix, gen, {}));
  if (options.ipv4_pool.has_value()) {
    NATFWT_ASSIGN_OR_RETURN(record.ipv4_address,
                            UnusedIpv4Address(table, *options.ipv4_pool, gen));
  }
  record.last_used = now;
  table.next_index = index + 1;
  return record;
}

// The record a LUID names: the one with that OS LUID, else the one with
// that LUID of natfwt's own; nullptr when none.
AssociationRecord* FindRecord(AssociationTable& table, uint64_t luid) {
  for (AssociationRecord& record : table.records) {
    if (record.os_luid == luid) return &record;
  }
  for (AssociationRecord& record : table.records) {
    if (record.luid == luid) return &record;
  }
  return nullptr;
}

// The OS hands a LUID to one live interface at a time, and may reuse the
// LUID of an interface that is gone: another record still holding `os_luid`
// is out of date and loses it.
void ReleaseOsLuid(AssociationTable& table, const AssociationRecord& record) {
  for (AssociationRecord& other : table.records) {
    if (other.luid == record.luid || other.os_luid != record.os_luid) continue;
    NATFWT_LOG(kInfo) << "OS LUID " << LuidText(*record.os_luid)
                      << " now belongs to association " << LuidText(record.luid)
                      << ", no longer to " << LuidText(other.luid);
    other.os_luid.reset();
  }
}

// Save's checks against the other records, then the insert or update.
absl::Status Upsert(AssociationTable& table, const AssociationRecord& record) {
  if (NetLuidIndex(record.luid) >= table.next_index) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LUID ", LuidText(record.luid), " was never allocated by this store"));
  }
  AssociationRecord* existing = nullptr;
  for (AssociationRecord& other : table.records) {
    if (other.luid == record.luid) {
      existing = &other;
    } else if (other.kernel_name == record.kernel_name ||
               other.friendly_name == record.friendly_name) {
      return absl::AlreadyExistsError(absl::StrCat(
          "LUID ", LuidText(other.luid), " already uses kernel name '",
          other.kernel_name, "' / friendly name '", other.friendly_name, "'"));
    }
  }
  if (existing != nullptr &&
      existing->provider_identity != record.provider_identity) {
    return absl::FailedPreconditionError(absl::StrCat(
        "LUID ", LuidText(record.luid), " belongs to another provider"));
  }
  if (record.os_luid.has_value()) ReleaseOsLuid(table, record);
  if (existing != nullptr) {
    *existing = record;
  } else {
    table.records.push_back(record);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AssociationStore> AssociationStore::Open(std::string directory) {
  NATFWT_RETURN_IF_ERROR(store_file::EnsurePrivateDirectory(directory));
  AssociationStore store(std::move(directory));
  NATFWT_RETURN_IF_ERROR(store.Read().status());
  return store;
}

std::string AssociationStore::file_path() const {
  return absl::StrCat(directory_, "/", kFileName);
}

std::string AssociationStore::lock_path() const {
  return absl::StrCat(directory_, "/", kLockFileName);
}

absl::StatusOr<AssociationTable> AssociationStore::Load() const {
  const std::string path = file_path();
  NATFWT_ASSIGN_OR_RETURN(
      std::optional<std::string> text,
      store_file::ReadFileIfExists(path, kMaxAssociationFileBytes));
  if (!text.has_value()) return AssociationTable{};
  absl::StatusOr<AssociationTable> table = ParseAssociations(*text);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

absl::StatusOr<AssociationTable> AssociationStore::Read() const {
  NATFWT_ASSIGN_OR_RETURN(
      store_file::FileLock lock,
      store_file::FileLock::Acquire(lock_path(),
                                    store_file::FileLock::Mode::kShared));
  return Load();
}

absl::Status AssociationStore::Mutate(
    absl::FunctionRef<absl::StatusOr<bool>(AssociationTable&)> change) {
  NATFWT_ASSIGN_OR_RETURN(
      store_file::FileLock lock,
      store_file::FileLock::Acquire(lock_path(),
                                    store_file::FileLock::Mode::kExclusive));
  NATFWT_ASSIGN_OR_RETURN(AssociationTable table, Load());
  NATFWT_ASSIGN_OR_RETURN(const bool changed, change(table));
  if (!changed) return absl::OkStatus();
  absl::Status valid = ValidateAssociationTable(table);
  if (!valid.ok()) {
    // Every change validates its input, so this is a bug: keep the file.
    return absl::InternalError(absl::StrCat(
        "refusing to write an invalid association table: ", valid.message()));
  }
  return store_file::ReplaceFileAtomically(file_path(),
                                           FormatAssociations(table));
}

absl::StatusOr<AssociationRecord> AssociationStore::FindByLuid(
    uint64_t luid, absl::string_view provider_identity) const {
  NATFWT_ASSIGN_OR_RETURN(AssociationTable table, Read());
  AssociationRecord* record = FindRecord(table, luid);
  if (record == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no association for LUID ", LuidText(luid)));
  }
  if (record->provider_identity != provider_identity) {
    return absl::NotFoundError(
        absl::StrCat("LUID ", LuidText(luid), " belongs to another provider"));
  }
  return std::move(*record);
}

absl::StatusOr<AssociationRecord> AssociationStore::Allocate(
    absl::string_view provider_identity, absl::BitGenRef gen, absl::Time now,
    const AllocateOptions& options) {
  NATFWT_RETURN_IF_ERROR(ValidateProviderIdentity(provider_identity));
  AssociationRecord record;
  NATFWT_RETURN_IF_ERROR(
      Mutate([&](AssociationTable& table) -> absl::StatusOr<bool> {
        NATFWT_ASSIGN_OR_RETURN(
            record, NewRecord(table, provider_identity, gen, now, options));
        return true;
      }));
  NATFWT_LOG(kInfo) << "allocated interface LUID " << LuidText(record.luid)
                    << " (" << record.kernel_name << ", "
                    << record.ula_prefix.ToString() << ") for provider "
                    << provider_identity;
  return record;
}

absl::Status AssociationStore::Save(const AssociationRecord& record) {
  NATFWT_RETURN_IF_ERROR(ValidateAssociationRecord(record));
  return Mutate([&](AssociationTable& table) -> absl::StatusOr<bool> {
    NATFWT_RETURN_IF_ERROR(Upsert(table, record));
    return true;
  });
}

absl::Status AssociationStore::Remove(uint64_t luid) {
  return Mutate([&](AssociationTable& table) -> absl::StatusOr<bool> {
    const AssociationRecord* record = FindRecord(table, luid);
    if (record == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no association for LUID ", LuidText(luid)));
    }
    table.records.erase(table.records.begin() +
                        (record - table.records.data()));
    return true;
  });
}

absl::StatusOr<size_t> AssociationStore::Expire(absl::Time now,
                                                absl::Duration max_age) {
  size_t removed = 0;
  NATFWT_RETURN_IF_ERROR(
      Mutate([&](AssociationTable& table) -> absl::StatusOr<bool> {
        removed = std::erase_if(table.records, [&](const AssociationRecord& r) {
          return now - r.last_used > max_age;
        });
        return removed > 0;
      }));
  if (removed > 0) {
    NATFWT_LOG(kInfo) << "expired " << removed
                      << " interface association(s) unused for more than "
                      << absl::FormatDuration(max_age);
  }
  return removed;
}

absl::StatusOr<std::vector<AssociationRecord>> AssociationStore::Records()
    const {
  NATFWT_ASSIGN_OR_RETURN(AssociationTable table, Read());
  std::sort(table.records.begin(), table.records.end(),
            [](const auto& a, const auto& b) { return a.luid < b.luid; });
  return std::move(table.records);
}

}  // namespace natfwt::cp
