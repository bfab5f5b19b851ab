// Copyright 2026 The natfwt Authors.
//
// The lifecycle of spec section 6 through the Runtime (the C exports are thin
// wrappers over it): every transition, completion rule and misuse case.

#include <thread>

#include "absl/synchronization/notification.h"
#include "facade/runtime/hresult.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/runtime/runtime_fixture.h"

namespace natfwt::cp::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr HRESULT kInvalidState = HRESULT_FROM_WIN32(ERROR_INVALID_STATE);

class LifecycleTest : public RuntimeFixture {};

TEST_F(LifecycleTest, CreateRejectsBadArguments) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE instance =
      reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(1);
  EXPECT_EQ(ToHresult(runtime_->Create(nullptr, nullptr, &instance)),
            E_POINTER);
  EXPECT_EQ(instance, nullptr);
  EXPECT_EQ(ToHresult(runtime_->Create(&callbacks, nullptr, nullptr)),
            E_POINTER);

  struct Case {
    const char* name;
    std::function<void(CPNATFWT_PROVIDER_CALLBACKS&)> spoil;
  };
  const Case cases[] = {
      {"version", [](auto& c) { c.version = 2; }},
      {"size", [](auto& c) { c.size = 8; }},
      {"reserved", [](auto& c) { c.reserved = 1; }},
      {"establish", [](auto& c) { c.establishSessionIndication = nullptr; }},
      {"terminate", [](auto& c) { c.terminateSessionIndication = nullptr; }},
      {"active", [](auto& c) { c.transitionActive = nullptr; }},
      {"add", [](auto& c) { c.addTransportId = nullptr; }},
      {"reach", [](auto& c) { c.reachTransportId = nullptr; }},
      {"send", [](auto& c) { c.sendBuffers = nullptr; }},
  };
  for (const Case& test : cases) {
    CPNATFWT_PROVIDER_CALLBACKS spoiled = provider.Callbacks();
    test.spoil(spoiled);
    instance = reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(1);
    EXPECT_EQ(ToHresult(runtime_->Create(&spoiled, nullptr, &instance)),
              E_INVALIDARG)
        << test.name;
    EXPECT_EQ(instance, nullptr) << test.name;
  }
  // Optional callbacks may be missing.
  provider.set_without_optional_callbacks();
  callbacks = provider.Callbacks();
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, nullptr, &instance)), S_OK);
  created_.push_back(instance);
  EXPECT_EQ(Info(instance).state, InstanceState::kCreated);
}

TEST_F(LifecycleTest, RegisterEstablishesDormantSessionAndAddsTransportId) {
  TestProvider& provider = NewProvider();
  IF_LUID luid{};
  CPNATFWT_PROVIDER_INSTANCE instance =
      CreateRegistered(provider, nullptr, &luid);
  EXPECT_EQ(luid.Info.IfType, 131u);  // IF_TYPE_TUNNEL (spec 9).
  EXPECT_NE(luid.Info.NetLuidIndex, 0u);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.state == InstanceState::kDormant && !info.local_ids.empty();
  }));
  InstanceInfo info = Info(instance);
  EXPECT_EQ(info.luid, luid.Value);
  EXPECT_EQ(info.friendly_name, "Connectivity Platform Adapter");
  ASSERT_EQ(info.local_ids.size(), 1u);
  EXPECT_TRUE(info.local_ids[0].is_v6());
  EXPECT_EQ(info.local_ids[0].bytes()[0], 0xfd);  // RFC 4193 ULA.

  std::vector<Record> records = provider.Records();
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[0].event, Event::kEstablish);
  EXPECT_EQ(records[1].event, Event::kAdd);
  EXPECT_EQ(records[1].address, info.local_ids[0]);
  for (const Record& record : records) {
    EXPECT_NE(record.thread, std::this_thread::get_id())  // spec 8.2
        << EventName(record.event);
  }
  tun::InterfaceConfig used = config();
  EXPECT_EQ(used.alias, "Connectivity Platform Adapter");
  EXPECT_EQ(used.mtu, 1280u);
  ASSERT_EQ(used.addresses.size(), 1u);
  EXPECT_EQ(used.addresses[0].address, info.local_ids[0]);
  ASSERT_EQ(used.routes.size(), 1u);
  EXPECT_EQ(used.routes[0].ToString(), "fd00::/8");
}

TEST_F(LifecycleTest, RegisterRejectsFlagsAndBadSddlAndCanRetry) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE instance;
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, &provider, &instance)),
            S_OK);
  created_.push_back(instance);
  EXPECT_EQ(
      ToHresult(runtime_->Register(instance, nullptr, nullptr, 4, nullptr)),
      E_INVALIDARG);
  WCHAR bad_sddl[] = L"D:(D;;GA;;;WD)";
  EXPECT_EQ(
      ToHresult(runtime_->Register(instance, nullptr, nullptr, 0, bad_sddl)),
      E_INVALIDARG);
  EXPECT_EQ(Info(instance).state, InstanceState::kCreated);
  EXPECT_EQ(provider.Records().size(), 0u);
  WCHAR good_sddl[] = L"D:(A;;GA;;;S-1-22-1-1000)";
  EXPECT_EQ(
      ToHresult(runtime_->Register(instance, nullptr, nullptr, 0, good_sddl)),
      S_OK);
  EXPECT_EQ(
      ToHresult(runtime_->Register(instance, nullptr, nullptr, 0, nullptr)),
      kInvalidState);
}

TEST_F(LifecycleTest, FriendlyNamesAreUniqueAndTruncated) {
  aliases_ = {"VPN"};
  TestProvider& first = NewProvider();
  TestProvider& second = NewProvider();
  WCHAR vpn[] = L"VPN";
  CPNATFWT_PROVIDER_INSTANCE a = CreateRegistered(first, vpn);
  CPNATFWT_PROVIDER_INSTANCE b = CreateRegistered(second, vpn);
  EXPECT_EQ(Info(a).friendly_name, "VPN #2");
  EXPECT_EQ(Info(b).friendly_name, "VPN #3");
  TestProvider& third = NewProvider();
  std::wstring long_name(300, L'x');
  CPNATFWT_PROVIDER_INSTANCE c = CreateRegistered(third, long_name.data());
  EXPECT_EQ(Info(c).friendly_name, std::string(256, 'x'));
}

TEST_F(LifecycleTest, DeregisterDeliversOneTerminateThenDestroy) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Established(provider);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  // Deregister returned: TERMINATE has run, exactly once.
  ASSERT_EQ(provider.Count(Event::kTerminate), 1u);
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST);
  EXPECT_EQ(Info(instance).state, InstanceState::kDeregistered);
  EXPECT_TRUE(interface()->closed());
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), kInvalidState);
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
  EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), S_OK);
  // Stale handle: detected, harmless.
  EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), E_INVALIDARG);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), E_INVALIDARG);
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
  EXPECT_EQ(provider.max_concurrent_control(), 1);
}

TEST_F(LifecycleTest, DeregisterBeforeRegisterIsInvalidState) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE instance;
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, &provider, &instance)),
            S_OK);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), kInvalidState);
  EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), S_OK);
  EXPECT_EQ(provider.Records().size(), 0u);  // No TERMINATE without Register.
}

TEST_F(LifecycleTest, DestroyWithoutDeregisterDeregistersImplicitly) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Established(provider);
  EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), S_OK);
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
}

TEST_F(LifecycleTest, DeregisterInsideTerminateAfterPlatformShutdown) {
  TestProvider& provider = NewProvider();
  HRESULT inner = E_UNEXPECTED;
  provider.OnTerminate([&](CPNATFWT_PROVIDER_INSTANCE self) {
    inner = ToHresult(runtime_->Deregister(self));
  });
  CPNATFWT_PROVIDER_INSTANCE instance = Established(provider);
  runtime_->Shutdown();
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  ASSERT_TRUE(WaitForState(instance, InstanceState::kDeregistered));
  EXPECT_EQ(inner, S_OK);
  std::vector<Record> records = provider.Records();
  // 5.6: the CP withdraws its IDs before a teardown it starts.
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[records.size() - 2].event, Event::kRemove);
  EXPECT_EQ(records.back().event, Event::kTerminate);
  EXPECT_EQ(records.back().reason,
            CPNATFWT_SESSION_TERMINATION_PLATFORM_SHUTDOWN);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), kInvalidState);
}

TEST_F(LifecycleTest, TerminateWithoutEstablishWhenDeregisteredAtOnce) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
  EXPECT_LE(provider.Count(Event::kEstablish), 1u);
  EXPECT_EQ(provider.Records().back().event, Event::kTerminate);
}

TEST_F(LifecycleTest, PendedAddCompletedFromAnotherThread) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  Pending add;
  ASSERT_TRUE(provider.TakePending(Event::kAdd, &add));
  EXPECT_TRUE(Info(instance).local_ids.empty());  // Not valid before success.
  std::thread completer([&] { add.Complete(S_OK); });
  completer.join();
  ASSERT_TRUE(WaitUntil(instance, [&](const InstanceInfo& info) {
    return info.local_ids.size() == 1 && info.local_ids[0] == add.address;
  }));
}

TEST_F(LifecycleTest, CompletionBeforeTheCallbackReturns) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, [](TestProvider&, const Pending& pending) {
    pending.Complete(S_OK);
    return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
  });
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.local_ids.size() == 1;
  }));
  EXPECT_FALSE(Info(instance).termination_reason.has_value());
}

struct ViolationCase {
  std::string name;
  TestProvider::Behaviour add;
  bool complete_again;
  friend void PrintTo(const ViolationCase& c, std::ostream* out) {
    *out << c.name;
  }
};

class CompletionViolationTest
    : public RuntimeFixture,
      public ::testing::WithParamInterface<ViolationCase> {};

TEST_P(CompletionViolationTest, EndsSessionWithOtherFailure) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, GetParam().add);
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  if (GetParam().complete_again) {
    Pending add;
    ASSERT_TRUE(provider.TakePending(Event::kAdd, &add));
    add.Complete(S_OK);
    add.Complete(S_OK);  // The second completion breaks the protocol.
  }
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Protocol, CompletionViolationTest,
    ::testing::Values(
        ViolationCase{"DoubleCompletion", TestProvider::Pend(), true},
        ViolationCase{"CompletedButNotPended",
                      [](TestProvider&, const Pending& pending) {
                        pending.Complete(S_OK);
                        return S_OK;
                      },
                      false},
        ViolationCase{"PendingAsFinalStatus",
                      [](TestProvider&, const Pending& pending) {
                        pending.Complete(HRESULT_FROM_WIN32(ERROR_IO_PENDING));
                        return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
                      },
                      false}),
    [](const auto& param_info) { return param_info.param.name; });

TEST_F(LifecycleTest, PendedCallbackTimesOutAndLateCompletionIsIgnored) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, TestProvider::Pend());
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  Pending add;
  ASSERT_TRUE(provider.TakePending(Event::kAdd, &add));
  clock_.Advance(absl::Seconds(29));
  EXPECT_EQ(provider.Count(Event::kTerminate), 0u);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_TIMEOUT);
  add.Complete(S_OK);  // Late: accepted and discarded.
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_TRUE(Info(instance).local_ids.empty());
  EXPECT_EQ(provider.Count(Event::kTerminate), 1u);
}

TEST_F(LifecycleTest, DuplicateAddressGetsANewOne) {
  TestProvider& provider = NewProvider();
  int calls = 0;
  provider.SetBehaviour(Event::kAdd, [&calls](TestProvider&, const Pending&) {
    return ++calls == 1 ? HRESULT_FROM_WIN32(ERROR_DUP_NAME) : S_OK;
  });
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  ASSERT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.local_ids.size() == 1;
  }));
  std::vector<Record> adds = provider.RecordsOf(Event::kAdd);
  ASSERT_EQ(adds.size(), 2u);
  EXPECT_NE(adds[0].address, adds[1].address);
  EXPECT_EQ(Info(instance).local_ids[0], adds[1].address);
  // Same /64 (spec 7.3), and the interface carries the new address.
  EXPECT_TRUE(net::IpPrefix({adds[0].address, 64}).Contains(adds[1].address));
  std::vector<net::IpPrefix> addresses = interface()->addresses();
  ASSERT_EQ(addresses.size(), 1u);
  EXPECT_EQ(addresses[0].address, adds[1].address);
}

TEST_F(LifecycleTest, AddFailingEveryTimeEndsTheSession) {
  TestProvider& provider = NewProvider();
  provider.SetBehaviour(Event::kAdd, TestProvider::Return(E_UNEXPECTED));
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  ASSERT_TRUE(provider.WaitFor(Event::kAdd, 1));
  for (int i = 0; i < 5 && provider.Count(Event::kTerminate) == 0; ++i) {
    size_t adds = provider.Count(Event::kAdd);
    clock_.Advance(absl::Seconds(5));  // Retry backoff.
    provider.WaitFor(Event::kAdd, adds + 1, absl::Seconds(2));
  }
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  EXPECT_EQ(provider.Count(Event::kAdd), 3u);
  EXPECT_EQ(provider.RecordsOf(Event::kTerminate)[0].reason,
            CPNATFWT_SESSION_TERMINATION_PROVIDER_OTHER_FAILURE);
  EXPECT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
}

TEST_F(LifecycleTest, LuidIsReusedWithSameAddressAndName) {
  TestProvider& first = NewProvider();
  GUID id{0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
  first.set_provider_id(id);
  WCHAR name[] = L"Office";
  IF_LUID luid{};
  CPNATFWT_PROVIDER_INSTANCE a = CreateRegistered(first, name, &luid);
  ASSERT_TRUE(
      WaitUntil(a, [](const InstanceInfo& i) { return !i.local_ids.empty(); }));
  net::IpAddress address = Info(a).local_ids[0];

  // Held by a live instance: busy.
  TestProvider& busy = NewProvider();
  busy.set_provider_id(id);
  CPNATFWT_PROVIDER_CALLBACKS callbacks = busy.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE b;
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, &busy, &b)), S_OK);
  created_.push_back(b);
  IF_LUID same = luid;
  EXPECT_EQ(ToHresult(runtime_->Register(b, nullptr, &same, 0, nullptr)),
            HRESULT_FROM_WIN32(ERROR_BUSY));

  ASSERT_EQ(ToHresult(runtime_->Deregister(a)), S_OK);
  ASSERT_EQ(ToHresult(runtime_->Destroy(a)), S_OK);
  EXPECT_EQ(ToHresult(runtime_->Register(b, nullptr, &same, 0, nullptr)), S_OK);
  EXPECT_EQ(same.Value, luid.Value);
  ASSERT_TRUE(
      WaitUntil(b, [](const InstanceInfo& i) { return !i.local_ids.empty(); }));
  EXPECT_EQ(Info(b).local_ids[0], address);
  EXPECT_EQ(Info(b).friendly_name, "Office");

  // Another provider may not claim it.
  TestProvider& other = NewProvider();
  other.set_provider_id({0x99, 0, 0, {0}});
  callbacks = other.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE c;
  ASSERT_EQ(ToHresult(runtime_->Create(&callbacks, &other, &c)), S_OK);
  created_.push_back(c);
  ASSERT_EQ(ToHresult(runtime_->Deregister(b)), S_OK);
  IF_LUID foreign = luid;
  EXPECT_EQ(ToHresult(runtime_->Register(c, nullptr, &foreign, 0, nullptr)),
            HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  IF_LUID unknown{};
  unknown.Value = luid.Value + (uint64_t{1000} << 24);
  EXPECT_EQ(ToHresult(runtime_->Register(c, nullptr, &unknown, 0, nullptr)),
            HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
}

TEST_F(LifecycleTest, DestroyInsideCallbackIsPostponed) {
  TestProvider& provider = NewProvider();
  absl::Notification hook_done;
  provider.OnTerminate([&](CPNATFWT_PROVIDER_INSTANCE self) {
    (void)runtime_->Deregister(self);
    EXPECT_EQ(ToHresult(runtime_->Destroy(self)), S_OK);  // Postponed.
    // Still usable until the callback returns.
    EXPECT_EQ(ToHresult(runtime_->Deregister(self)), E_INVALIDARG);
    hook_done.Notify();
  });
  CPNATFWT_PROVIDER_INSTANCE instance = Established(provider);
  runtime_->Shutdown();
  hook_done.WaitForNotification();
  EXPECT_EQ(ToHresult(runtime_->Destroy(instance)), E_INVALIDARG);  // Gone.
}

}  // namespace
}  // namespace natfwt::cp::testing
