// Copyright 2026 The natfwt Authors.
//
// Which LUID providers see (spec 4.2, 9): the OS's own LUID of the interface
// where the backend has one (Wintun on Windows; here an in-memory interface
// that reports one), natfwt's own elsewhere (Linux), and how the association
// store gets the same interface, addresses and LUID back after a restart.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "facade/identity/association_store.h"
#include "facade/identity/luid.h"
#include "facade/runtime/hresult.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/runtime/runtime_fixture.h"

namespace natfwt::cp::testing {
namespace {

using ::testing::Optional;

// IANA ifType 53, IF_TYPE_PROP_VIRTUAL: what Windows gives Wintun adapters.
constexpr uint16_t kIfTypePropVirtual = 53;
constexpr uint32_t kFirstOsIndex = 0x8000;
constexpr GUID kProviderId = {
    0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};

// The LUIDs a Windows host gives Wintun adapters: IfType 53, an index of the
// OS's choosing, and the same LUID for the same adapter in later runs
// (tun_wintun.cc derives the adapter GUID from the kernel name), unless the
// OS renumbers it.
class FakeOsLuids {
 public:
  uint64_t For(const tun::InterfaceConfig& config) {
    absl::MutexLock lock(&mutex_);
    auto [it, inserted] = luids_.try_emplace(config.kernel_name, 0);
    if (inserted) it->second = MakeNetLuid(kIfTypePropVirtual, next_index_++);
    return it->second;
  }
  // The adapter named `kernel_name` gets a new LUID when next created.
  void Renumber(const std::string& kernel_name) {
    absl::MutexLock lock(&mutex_);
    luids_.erase(kernel_name);
  }

 private:
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, uint64_t> luids_ ABSL_GUARDED_BY(mutex_);
  uint32_t next_index_ ABSL_GUARDED_BY(mutex_) = kFirstOsIndex;
};

bool HasTransportId(const InstanceInfo& info) {
  return !info.local_ids.empty();
}

class LuidTest : public RuntimeFixture {
 protected:
  // Interfaces report LUIDs from os_ from now on, as on Windows.
  void UseOsLuids() {
    SetOsLuids(
        [this](const tun::InterfaceConfig& config) { return os_.For(config); });
  }

  // Create + Register for a provider with kProviderId (or `id`), passing
  // `*luid` in and out; returns the Register HRESULT.
  HRESULT Register(IF_LUID* luid, const GUID& id = kProviderId,
                   CPNATFWT_PROVIDER_INSTANCE* out = nullptr) {
    TestProvider& provider = NewProvider();
    provider.set_provider_id(id);
    CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
    CPNATFWT_PROVIDER_INSTANCE instance = nullptr;
    EXPECT_EQ(ToHresult(runtime_->Create(&callbacks, &provider, &instance)),
              S_OK);
    created_.push_back(instance);
    if (out != nullptr) *out = instance;
    return ToHresult(runtime_->Register(instance, nullptr, luid, 0, nullptr));
  }

  // Registers with `*luid` and waits for the transport ID; fails the test
  // when that does not work.
  CPNATFWT_PROVIDER_INSTANCE Registered(IF_LUID* luid) {
    CPNATFWT_PROVIDER_INSTANCE instance = nullptr;
    EXPECT_EQ(Register(luid, kProviderId, &instance), S_OK);
    EXPECT_TRUE(WaitUntil(instance, HasTransportId));
    return instance;
  }

  // The provider's process ends: deregister, destroy, new runtime.
  void EndAndRestart(CPNATFWT_PROVIDER_INSTANCE instance) {
    EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
    EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), S_OK);
    Restart(BaseOptions());
  }

  // The stored record with natfwt's LUID `association_luid`.
  AssociationRecord Stored(uint64_t association_luid) {
    absl::StatusOr<AssociationStore> store =
        AssociationStore::Open(dir_->path());
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return {};
    absl::StatusOr<std::vector<AssociationRecord>> records = store->Records();
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) return {};
    for (const AssociationRecord& record : *records) {
      if (record.luid == association_luid) return record;
    }
    ADD_FAILURE() << "no record for " << association_luid;
    return {};
  }

  FakeOsLuids os_;
};

TEST_F(LuidTest, ProvidersGetTheBackendsLuidAndGetItBackAfterARestart) {
  UseOsLuids();
  IF_LUID luid{};
  CPNATFWT_PROVIDER_INSTANCE a = Registered(&luid);
  ASSERT_NE(interface(0), nullptr);
  EXPECT_EQ(luid.Value, interface(0)->luid());
  EXPECT_EQ(luid.Value, MakeNetLuid(kIfTypePropVirtual, kFirstOsIndex));
  const InstanceInfo before = Info(a);
  EXPECT_EQ(before.luid, luid.Value);
  EXPECT_EQ(NetLuidIfType(before.association_luid), kIfTypeTunnel);
  // The record keeps the OS LUID next to what brings the interface back.
  const AssociationRecord record = Stored(before.association_luid);
  EXPECT_THAT(record.os_luid, Optional(luid.Value));
  EXPECT_EQ(record.kernel_name, config(0).kernel_name);
  ASSERT_EQ(before.local_ids.size(), 1u);
  EXPECT_EQ(record.ipv6_address, before.local_ids[0]);

  EndAndRestart(a);
  IF_LUID again = luid;
  CPNATFWT_PROVIDER_INSTANCE b = Registered(&again);
  EXPECT_EQ(again.Value, luid.Value);
  EXPECT_EQ(config(1).kernel_name, config(0).kernel_name);
  const InstanceInfo after = Info(b);
  EXPECT_EQ(after.luid, luid.Value);
  EXPECT_EQ(after.association_luid, before.association_luid);
  EXPECT_EQ(after.friendly_name, before.friendly_name);
  EXPECT_EQ(after.local_ids, before.local_ids);
}

TEST_F(LuidTest, WithoutOsLuidsProvidersGetNatfwtsOwnWhichLaterStillWorks) {
  // A backend without OS LUIDs (Linux; or an earlier natfwt on Windows).
  IF_LUID own{};
  CPNATFWT_PROVIDER_INSTANCE a = Registered(&own);
  EXPECT_EQ(NetLuidIfType(own.Value), kIfTypeTunnel);
  EXPECT_EQ(Info(a).association_luid, own.Value);
  const net::IpAddress address = Info(a).local_ids[0];
  EXPECT_FALSE(Stored(own.Value).os_luid.has_value());

  // Now on a backend with OS LUIDs: natfwt's LUID still finds the
  // interface, and the answer is the OS's (a documented deviation).
  UseOsLuids();
  EndAndRestart(a);
  IF_LUID again = own;
  CPNATFWT_PROVIDER_INSTANCE b = Registered(&again);
  EXPECT_EQ(again.Value, MakeNetLuid(kIfTypePropVirtual, kFirstOsIndex));
  EXPECT_EQ(Info(b).association_luid, own.Value);
  EXPECT_EQ(Info(b).local_ids[0], address);
  EXPECT_THAT(Stored(own.Value).os_luid, Optional(again.Value));
}

TEST_F(LuidTest, AnInterfaceTheOsRenumberedIsReportedWithItsNewLuid) {
  UseOsLuids();
  IF_LUID old_luid{};
  CPNATFWT_PROVIDER_INSTANCE a = Registered(&old_luid);
  const InstanceInfo before = Info(a);
  os_.Renumber(config(0).kernel_name);
  EndAndRestart(a);

  IF_LUID luid = old_luid;
  CPNATFWT_PROVIDER_INSTANCE b = Registered(&luid);
  EXPECT_EQ(luid.Value, MakeNetLuid(kIfTypePropVirtual, kFirstOsIndex + 1));
  EXPECT_EQ(Info(b).association_luid, before.association_luid);
  EXPECT_EQ(Info(b).local_ids, before.local_ids);
  EXPECT_THAT(Stored(before.association_luid).os_luid, Optional(luid.Value));

  // The old OS LUID no longer names anything; the new one does.
  ASSERT_EQ(ToHresult(runtime_->Deregister(b)), S_OK);
  IF_LUID stale = old_luid;
  EXPECT_EQ(Register(&stale), HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  IF_LUID current = luid;
  EXPECT_EQ(Register(&current), S_OK);
  EXPECT_EQ(current.Value, luid.Value);
}

TEST_F(LuidTest, OsLuidIsBusyWhileHeldAndUnknownToOtherProviders) {
  UseOsLuids();
  IF_LUID luid{};
  CPNATFWT_PROVIDER_INSTANCE a = Registered(&luid);
  IF_LUID same = luid;
  EXPECT_EQ(Register(&same), HRESULT_FROM_WIN32(ERROR_BUSY));
  IF_LUID foreign = luid;
  EXPECT_EQ(Register(&foreign, {0x99, 0, 0, {0}}),
            HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  ASSERT_EQ(ToHresult(runtime_->Deregister(a)), S_OK);
  EXPECT_EQ(Register(&same), S_OK);
  EXPECT_EQ(same.Value, luid.Value);
}

}  // namespace
}  // namespace natfwt::cp::testing
