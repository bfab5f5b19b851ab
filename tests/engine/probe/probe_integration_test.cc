// Copyright 2026 The natfwt Authors.
//
// RunNatProbe and RunTurnCheck against coturn turnservers the test starts on
// loopback: one with RFC 5780 (listening on 127.0.0.1 and 127.0.0.2), one
// without. Loopback has no NAT, so the probe must say "open" with
// endpoint-independent mapping and filtering, and agree with coturn's own
// turnutils_natdiscovery; the TURN check must allocate, relay and release
// over UDP, TCP and TLS, and fail clearly with a wrong password or no
// server.

#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/probe/nat_probe.h"
#include "engine/probe/stun_exchange.h"
#include "engine/probe/turn_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/ice/ice_test_support.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

namespace natfwt::probe {
namespace {

using ::natfwt::ice::TurnTransport;
using ::natfwt::ice::testing::TurnServerOptions;
using ::natfwt::ice::testing::TurnServerProcess;
using ::natfwt::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const net::IpAddress kLoopback = *net::IpAddress::Parse("127.0.0.1");

class ProbeIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!natfwt::testing::FindTool("turnserver")) return;
    absl::StatusOr<std::unique_ptr<TurnServerProcess>> rfc5780 =
        TurnServerProcess::Start({.rfc5780 = true});
    absl::StatusOr<std::unique_ptr<TurnServerProcess>> plain =
        TurnServerProcess::Start();
    if (!rfc5780.ok() || !plain.ok()) {
      start_error_ = new std::string(absl::StrCat(
          rfc5780.status().ToString(), " / ", plain.status().ToString()));
      return;
    }
    rfc5780_ = rfc5780->release();
    plain_ = plain->release();
  }
  static void TearDownTestSuite() {
    delete rfc5780_;
    delete plain_;
    delete start_error_;
    rfc5780_ = plain_ = nullptr;
    start_error_ = nullptr;
  }
  void SetUp() override {
    NATFWT_REQUIRE(natfwt::testing::FindTool("turnserver").has_value(),
                   "coturn's turnserver is not installed");
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
  }
  void TearDown() override {
    if (HasFailure() && rfc5780_ != nullptr) {
      std::printf("---- turnserver log ----\n%s\n", rfc5780_->Log().c_str());
    }
  }

  static NatProbeOptions ProbeOptions(uint16_t port) {
    NatProbeOptions options;
    options.server = {"127.0.0.1", port};
    options.test_timeout = absl::Milliseconds(500);
    return options;
  }

  static TurnCheckOptions TurnOptions(TurnTransport transport) {
    TurnCheckOptions options;
    options.server = rfc5780_->Server(transport);
    options.timeout = absl::Seconds(10);
    options.datagrams = 5;
    return options;
  }

  static TurnServerProcess* rfc5780_;
  static TurnServerProcess* plain_;
  static std::string* start_error_;
};

TurnServerProcess* ProbeIntegrationTest::rfc5780_ = nullptr;
TurnServerProcess* ProbeIntegrationTest::plain_ = nullptr;
std::string* ProbeIntegrationTest::start_error_ = nullptr;

// A UDP port with a socket that never answers (no ICMP either).
class SilentPort {
 public:
  SilentPort() { socket_ = *OpenStunSocket({kLoopback, 0}); }
  uint16_t port() const { return socket_->local_address().port; }

 private:
  std::unique_ptr<net::UdpSocket> socket_;
};

// ---- natfwt probe ----

TEST_F(ProbeIntegrationTest, LoopbackIsOpenWithEndpointIndependentBehaviour) {
  NATFWT_ASSERT_OK_AND_ASSIGN(NatProbeReport report,
                              RunNatProbe(ProbeOptions(rfc5780_->port())));
  EXPECT_EQ(NatTypeName(report.type), "open");
  EXPECT_EQ(report.server, (net::UdpEndpoint{kLoopback, rfc5780_->port()}));
  ASSERT_TRUE(report.other_address.has_value());
  EXPECT_EQ(*report.other_address,
            (net::UdpEndpoint{
                *net::IpAddress::Parse(TurnServerProcess::kAlternateAddress),
                static_cast<uint16_t>(rfc5780_->port() + 1)}));
  EXPECT_EQ(report.local.address, kLoopback);
  EXPECT_EQ(report.mapped, report.local);
  EXPECT_EQ(report.mapping.behavior, MappingBehavior::kEndpointIndependent);
  EXPECT_EQ(report.mapping.alternate_address, report.local);
  EXPECT_EQ(report.filtering.behavior, FilteringBehavior::kEndpointIndependent);
  EXPECT_TRUE(report.filtering.change_ip_and_port_answered);
  EXPECT_EQ(report.hairpinning, true);
  EXPECT_EQ(report.ports.allocation, PortAllocation::kPreserving);
  EXPECT_THAT(report.ports.samples, SizeIs(8));
  for (const PortSample& sample : report.ports.samples) {
    EXPECT_EQ(sample.mapped_port, sample.local_port);
  }
  EXPECT_THAT(report.public_ips, ElementsAre(kLoopback));
  EXPECT_FALSE(report.path.probed);
  EXPECT_FALSE(report.carrier_grade_nat);
  EXPECT_EQ(report.nat_depth, 0);
  EXPECT_THAT(report.notes, IsEmpty());
}

TEST_F(ProbeIntegrationTest, AgreesWithCoturnsOwnNatDiscovery) {
  std::optional<std::string> tool =
      natfwt::testing::FindTool("turnutils_natdiscovery");
  NATFWT_REQUIRE(tool.has_value(), "turnutils_natdiscovery is not installed");
  const std::string command =
      absl::StrCat(*tool, " -m -f -p ", rfc5780_->port(), " 127.0.0.1 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  pclose(pipe);
  NATFWT_ASSERT_OK_AND_ASSIGN(NatProbeReport report,
                              RunNatProbe(ProbeOptions(rfc5780_->port())));
  // coturn words the RFC 5780 names this way.
  EXPECT_THAT(output, HasSubstr("Endpoint Independent Mapping")) << output;
  EXPECT_THAT(output, HasSubstr("Endpoint Independent Filtering")) << output;
  EXPECT_EQ(report.mapping.behavior, MappingBehavior::kEndpointIndependent);
  EXPECT_EQ(report.filtering.behavior, FilteringBehavior::kEndpointIndependent);
}

TEST_F(ProbeIntegrationTest, ServerWithoutRfc5780StillShowsNoNat) {
  NATFWT_ASSERT_OK_AND_ASSIGN(NatProbeReport report,
                              RunNatProbe(ProbeOptions(plain_->port())));
  EXPECT_EQ(report.type, NatType::kOpen);  // Needs no RFC 5780.
  EXPECT_FALSE(report.other_address.has_value());
  EXPECT_EQ(report.mapping.behavior, MappingBehavior::kUnknown);
  EXPECT_EQ(report.filtering.behavior, FilteringBehavior::kUnknown);
  EXPECT_THAT(report.notes, ElementsAre(HasSubstr("no RFC 5780 support")));
  EXPECT_EQ(report.ports.allocation, PortAllocation::kPreserving);
}

TEST_F(ProbeIntegrationTest, SilentServerIsUdpBlockedWithinTheTimeout) {
  SilentPort silent;
  const absl::Time start = absl::Now();
  NATFWT_ASSERT_OK_AND_ASSIGN(NatProbeReport report,
                              RunNatProbe(ProbeOptions(silent.port())));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(NatTypeName(report.type), "udp-blocked");
  EXPECT_FALSE(report.mapped.has_value());
  EXPECT_THAT(report.notes, ElementsAre(HasSubstr("no STUN answer")));
  EXPECT_GE(took, absl::Milliseconds(500));
  EXPECT_LT(took, absl::Milliseconds(1500));
}

TEST_F(ProbeIntegrationTest, UnresolvableNameIsAnError) {
  NatProbeOptions options = ProbeOptions(3478);
  options.server.host = "no-such-host.invalid";
  EXPECT_FALSE(RunNatProbe(options).ok());
}

// ---- natfwt turn ----

class TurnCheckTransports
    : public ProbeIntegrationTest,
      public ::testing::WithParamInterface<TurnTransport> {};

TEST_P(TurnCheckTransports, AllocatesRelaysAndReleases) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report,
                              RunTurnCheck(TurnOptions(GetParam())));
  ASSERT_TRUE(report.ok()) << report.failed_step << ": " << report.error;
  EXPECT_EQ(report.uri.transport, GetParam());
  ASSERT_TRUE(report.allocation.has_value());
  EXPECT_EQ(report.allocation->relayed.address, kLoopback);
  EXPECT_NE(report.allocation->relayed.port, 0);
  ASSERT_TRUE(report.allocation->mapped.has_value());
  EXPECT_EQ(report.allocation->mapped->address, kLoopback);
  EXPECT_GT(report.allocation->lifetime_seconds, 0u);
  EXPECT_TRUE(report.allocation->released);
  ASSERT_TRUE(report.relay.has_value());
  EXPECT_EQ(report.relay->sent, 5);
  EXPECT_EQ(report.relay->echoed, 5);
  EXPECT_THAT(report.relay->rtts, SizeIs(5));
  EXPECT_EQ(report.relay->relayed_a.address, kLoopback);
  EXPECT_EQ(report.relay->relayed_b.address, kLoopback);
  EXPECT_NE(report.relay->relayed_a, report.relay->relayed_b);
}

INSTANTIATE_TEST_SUITE_P(Transports, TurnCheckTransports,
                         ::testing::Values(TurnTransport::kUdp,
                                           TurnTransport::kTcp,
                                           TurnTransport::kTls),
                         [](const auto& test) {
                           return std::string(
                               ice::TurnTransportName(test.param));
                         });

TEST_F(ProbeIntegrationTest, TurnWrongPasswordFailsAtAllocation) {
  for (TurnTransport transport : {TurnTransport::kUdp, TurnTransport::kTls}) {
    TurnCheckOptions options = TurnOptions(transport);
    options.server.password = "wrong";
    NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report, RunTurnCheck(options));
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.failed_step, "allocate");
    EXPECT_THAT(report.error, HasSubstr("rejected the credentials of user"));
    EXPECT_THAT(report.error, HasSubstr("401"));
    EXPECT_FALSE(report.allocation.has_value());
  }
}

TEST_F(ProbeIntegrationTest, TurnSilentServerFailsWithinTheTimeout) {
  SilentPort silent;
  TurnCheckOptions options = TurnOptions(TurnTransport::kUdp);
  options.server.uri = absl::StrCat("turn:127.0.0.1:", silent.port());
  options.timeout = absl::Milliseconds(800);
  const absl::Time start = absl::Now();
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report, RunTurnCheck(options));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_EQ(report.failed_step, "allocate");
  EXPECT_THAT(report.error, HasSubstr("no answer from"));
}

TEST_F(ProbeIntegrationTest, TurnRefusedTcpConnectionFailsAtOnce) {
  SilentPort closed;  // Bound for UDP only: TCP connections are refused.
  TurnCheckOptions options = TurnOptions(TurnTransport::kTcp);
  options.server.uri =
      absl::StrCat("turn:127.0.0.1:", closed.port(), "?transport=tcp");
  const absl::Time start = absl::Now();
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report, RunTurnCheck(options));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(report.failed_step, "allocate");
  EXPECT_THAT(report.error, HasSubstr("refused"));
}

TEST_F(ProbeIntegrationTest, TurnUntrustedCertificateFailsTheHandshake) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string other_ca,
                              rfc5780_->UntrustedCaFile());
  TurnCheckOptions options = TurnOptions(TurnTransport::kTls);
  options.server.tls_ca_file = other_ca;
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report, RunTurnCheck(options));
  EXPECT_EQ(report.failed_step, "allocate");
  EXPECT_THAT(report.error, HasSubstr("TLS handshake"));
}

TEST_F(ProbeIntegrationTest, TurnRelayRefusedByTheServerGivesAHint) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<TurnServerProcess> strict,
      TurnServerProcess::Start({.allow_loopback_peers = false}));
  TurnCheckOptions options;
  options.server = strict->Server(TurnTransport::kUdp);
  options.timeout = absl::Seconds(3);
  NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report, RunTurnCheck(options));
  // Allocating works; relaying between two loopback allocations does not.
  ASSERT_TRUE(report.allocation.has_value());
  EXPECT_TRUE(report.allocation->released);
  EXPECT_EQ(report.failed_step, "relay");
  EXPECT_THAT(report.error, HasSubstr("--allow-loopback-peers"));
}

TEST_F(ProbeIntegrationTest, TurnOptionsAreValidated) {
  TurnCheckOptions options = TurnOptions(TurnTransport::kUdp);
  options.server.password.clear();
  EXPECT_FALSE(RunTurnCheck(options).ok());
  options = TurnOptions(TurnTransport::kUdp);
  options.server.tls_ca_file = "/nonexistent.pem";
  EXPECT_FALSE(RunTurnCheck(options).ok());
  options = TurnOptions(TurnTransport::kUdp);
  options.server.uri = "stun:127.0.0.1";
  EXPECT_FALSE(RunTurnCheck(options).ok());
}

TEST_F(ProbeIntegrationTest, TurnCheckLeavesNoDescriptorsBehind) {
  // The first runs initialise GLib's TLS backend, resolver and socket
  // helpers for good (lazily, per transport): one round of each first.
  for (TurnTransport transport :
       {TurnTransport::kUdp, TurnTransport::kTcp, TurnTransport::kTls}) {
    ASSERT_THAT(RunTurnCheck(TurnOptions(transport)), IsOk());
  }
  const int fds = ice::testing::CountOpenFds();
  for (TurnTransport transport :
       {TurnTransport::kUdp, TurnTransport::kTcp, TurnTransport::kTls}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(TurnCheckReport report,
                                RunTurnCheck(TurnOptions(transport)));
    EXPECT_TRUE(report.ok()) << report.error;
  }
  // libnice releases TURN allocations and closes their sockets
  // asynchronously after a session closes: wait for that (bounded).
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (ice::testing::CountOpenFds() > fds && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // Polling the condition.
  }
  EXPECT_EQ(ice::testing::CountOpenFds(), fds) << [] {
    std::string open;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
      std::error_code error;
      open += " " + std::filesystem::read_symlink(entry.path(), error).string();
    }
    return open;
  }();
}

}  // namespace
}  // namespace natfwt::probe
