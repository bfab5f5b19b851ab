// Copyright 2026 The natfwt Authors.

#include "tests/facade/runtime/runtime_fixture.h"

#include <utility>

#include "facade/runtime/hresult.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/status_matchers.h"

namespace natfwt::cp::testing {

net::IpAddress PeerAddress(uint8_t last) {
  return net::IpAddress::V6(
      {0xfd, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last});
}

RuntimeOptions RuntimeFixture::BaseOptions() {
  RuntimeOptions options;
  options.state_dir = dir_->path();
  options.clock = &clock_;
  options.enforce_sddl = false;
  options.interface_factory = [this](const tun::InterfaceConfig& config)
      -> absl::StatusOr<std::unique_ptr<tun::VirtualInterface>> {
    auto created = std::make_unique<tun::MemoryInterface>(config);
    absl::MutexLock lock(&mutex_);
    if (os_luid_) created->set_luid(os_luid_(config));
    interfaces_.push_back(created.get());
    configs_.push_back(config);
    return created;
  };
  options.list_aliases = [this]() -> absl::StatusOr<std::vector<std::string>> {
    return aliases_;
  };
  options.observer = [this](CPNATFWT_PROVIDER_INSTANCE) {
    absl::MutexLock lock(&mutex_);
    ++changes_;
  };
  return options;
}

void RuntimeFixture::SetUp() {
  absl::StatusOr<natfwt::testing::TempDir> dir =
      natfwt::testing::TempDir::Create("runtime");
  ASSERT_TRUE(dir.ok()) << dir.status();
  dir_.emplace(std::move(*dir));
  runtime_ = std::make_unique<Runtime>(BaseOptions());
}

void RuntimeFixture::Restart(RuntimeOptions options) {
  runtime_ = std::make_unique<Runtime>(std::move(options));
}

void RuntimeFixture::TearDown() {
  for (CPNATFWT_PROVIDER_INSTANCE instance : created_) {
    (void)runtime_->Destroy(instance);  // Already destroyed ones: ignored.
  }
  runtime_.reset();
}

CPNATFWT_PROVIDER_INSTANCE RuntimeFixture::CreateRegistered(
    TestProvider& provider, const WCHAR* name, IF_LUID* luid) {
  CPNATFWT_PROVIDER_CALLBACKS callbacks = provider.Callbacks();
  CPNATFWT_PROVIDER_INSTANCE instance = nullptr;
  absl::Status created = runtime_->Create(&callbacks, &provider, &instance);
  EXPECT_TRUE(created.ok()) << created;
  created_.push_back(instance);
  absl::Status registered =
      runtime_->Register(instance, name, luid, 0, nullptr);
  EXPECT_TRUE(registered.ok()) << registered;
  return instance;
}

CPNATFWT_PROVIDER_INSTANCE RuntimeFixture::Established(TestProvider& provider) {
  CPNATFWT_PROVIDER_INSTANCE instance = CreateRegistered(provider);
  EXPECT_TRUE(WaitUntil(instance, [](const InstanceInfo& info) {
    return info.state == InstanceState::kDormant && !info.local_ids.empty();
  }));
  return instance;
}

CPNATFWT_PROVIDER_INSTANCE RuntimeFixture::Ready(TestProvider& provider) {
  CPNATFWT_PROVIDER_INSTANCE instance = Established(provider);
  local_ = Info(instance).local_ids.at(0);
  return instance;
}

bool RuntimeFixture::WaitUntil(
    CPNATFWT_PROVIDER_INSTANCE instance,
    const std::function<bool(const InstanceInfo&)>& predicate,
    absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    uint64_t seen;
    {
      absl::MutexLock lock(&mutex_);
      seen = changes_;
    }
    absl::StatusOr<InstanceInfo> info = runtime_->Describe(instance);
    if (info.ok() && predicate(*info)) return true;
    if (absl::Now() >= deadline) return false;
    // State and ID changes notify; counters do not (nothing is signalled per
    // packet), so the condition is also re-checked every few milliseconds.
    absl::MutexLock lock(&mutex_);
    auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return changes_ != seen;
    };
    mutex_.AwaitWithDeadline(
        absl::Condition(&changed),
        std::min(deadline, absl::Now() + absl::Milliseconds(2)));
  }
}

bool RuntimeFixture::WaitForState(CPNATFWT_PROVIDER_INSTANCE instance,
                                  InstanceState state) {
  return WaitUntil(instance, [state](const InstanceInfo& info) {
    return info.state == state;
  });
}

InstanceInfo RuntimeFixture::Info(CPNATFWT_PROVIDER_INSTANCE instance) {
  absl::StatusOr<InstanceInfo> info = runtime_->Describe(instance);
  EXPECT_TRUE(info.ok()) << info.status();
  return info.ok() ? *info : InstanceInfo{};
}

void RuntimeFixture::SetOsLuids(
    std::function<uint64_t(const tun::InterfaceConfig&)> os_luid) {
  absl::MutexLock lock(&mutex_);
  os_luid_ = std::move(os_luid);
}

tun::MemoryInterface* RuntimeFixture::interface(size_t index) {
  absl::MutexLock lock(&mutex_);
  return index < interfaces_.size() ? interfaces_[index] : nullptr;
}

tun::InterfaceConfig RuntimeFixture::config(size_t index) {
  absl::MutexLock lock(&mutex_);
  return index < configs_.size() ? configs_[index] : tun::InterfaceConfig{};
}

std::vector<uint8_t> RuntimeFixture::Outbound(
    CPNATFWT_PROVIDER_INSTANCE instance, const net::IpAddress& peer,
    uint16_t source_port, size_t payload) {
  InstanceInfo info = Info(instance);
  net::IpAddress local =
      info.local_ids.empty() ? net::IpAddress() : info.local_ids[0];
  return tun::testing::BuildUdpPacket({local, source_port}, {peer, 5000},
                                      tun::testing::Pattern(payload, 7));
}

}  // namespace natfwt::cp::testing
