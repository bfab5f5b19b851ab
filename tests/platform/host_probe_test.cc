// Copyright 2026 The natfwt Authors.
//
// The probes must agree with what the process can observably do.

#include "platform/sys/host_probe.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/net/udp_features.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::sys {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::TempDir;
using ::testing::HasSubstr;

TEST(HostProbe, RootMatchesEffectiveUid) {
  EXPECT_EQ(ProbeRoot().ok, geteuid() == 0);
}

TEST(HostProbe, TunProbeAgreesWithOpeningTheDevice) {
  ProbeResult tun = ProbeTunDevice();
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    EXPECT_FALSE(tun.ok);
    EXPECT_THAT(tun.detail, HasSubstr("open /dev/net/tun"));
  } else {
    close(fd);
    // Creating an interface needs CAP_NET_ADMIN.
    EXPECT_EQ(tun.ok, ProbeNetAdmin().ok) << tun.detail;
  }
}

TEST(HostProbe, FindExecutableHonoursPathAndExecBit) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir dir, TempDir::Create("probe"));
  std::string tool = dir.File("natfwt-fake-tool");
  int fd = open(tool.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  const char* old_path = getenv("PATH");
  std::string saved = old_path ? old_path : "";
  setenv("PATH", dir.path().c_str(), 1);
  EXPECT_FALSE(FindExecutable("natfwt-fake-tool").has_value());  // Not +x.
  chmod(tool.c_str(), 0755);
  EXPECT_EQ(FindExecutable("natfwt-fake-tool"), tool);
  setenv("PATH", saved.c_str(), 1);
  EXPECT_FALSE(FindExecutable("natfwt-no-such-tool-here").has_value());
}

TEST(UdpFeatures, ProbeSucceedsAndIsStable) {
  NATFWT_ASSERT_OK_AND_ASSIGN(net::UdpFeatures first, net::ProbeUdpFeatures());
  NATFWT_ASSERT_OK_AND_ASSIGN(net::UdpFeatures second, net::ProbeUdpFeatures());
  EXPECT_EQ(first.gso, second.gso);
  EXPECT_EQ(first.gro, second.gro);
  EXPECT_TRUE(first.batch);  // Every supported Linux has sendmmsg.
}

}  // namespace
}  // namespace natfwt::sys
