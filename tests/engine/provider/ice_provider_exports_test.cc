// Copyright 2026 The natfwt Authors.
//
// The ICE provider through libcpnatfwt's real exports (its default CpApi),
// as natfwt runs it, on the in-memory backend (NATFWT_CP_BACKEND=memory):
// registration, the transport ID published through the node, and the
// teardown. Everything else is ice_provider_test's, on a Runtime of its
// own.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/provider/ice_provider.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/provider/fake_node.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::provider::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(IceProviderExports, RegistersPublishesAndTearsDownThroughLibcpnatfwt) {
  absl::StatusOr<natfwt::testing::TempDir> dir =
      natfwt::testing::TempDir::Create("provider-exports");
  ASSERT_TRUE(dir.ok()) << dir.status();
  // Read once, when the process-wide runtime starts (the first call below).
  ASSERT_EQ(setenv("NATFWT_CP_BACKEND", "memory", 1), 0);
  ASSERT_EQ(setenv("NATFWT_STATE_DIR", dir->path().c_str(), 1), 0);

  FakeNode node;
  IceProviderOptions options;
  options.friendly_name = "natfwt exports test";
  options.luid_file = dir->File("interface.luid");
  absl::StatusOr<std::unique_ptr<IceProvider>> provider =
      IceProvider::Start(node, options);
  ASSERT_TRUE(provider.ok()) << provider.status();
  std::vector<std::string> ids =
      (*provider)->WaitForTransportIds(absl::Seconds(10));
  ASSERT_THAT(ids, SizeIs(1));
  EXPECT_TRUE(
      node.WaitForPublished([&](const std::vector<std::string>& published) {
        return published == ids;
      }));
  EXPECT_NE(node.sink(), nullptr);
  IceProviderStatus status = (*provider)->Status();
  EXPECT_EQ(status.state, "dormant");
  EXPECT_NE(status.luid, 0u);

  (*provider)->Stop();
  status = (*provider)->Status();
  EXPECT_EQ(status.state, "terminated");
  EXPECT_EQ(status.termination, "PROVIDER_REQUEST");
  EXPECT_EQ(node.sink(), nullptr);
  EXPECT_THAT(node.last_published(), IsEmpty());
}

}  // namespace
}  // namespace natfwt::provider::testing
