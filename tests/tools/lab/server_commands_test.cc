// Copyright 2026 The natfwt Authors.
//
// Command lines of coturn, the rendezvous, the shim and netem.

#include "tools/lab/server_commands.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::lab {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

TEST(CoturnArgv, ServesRfc5780TurnAndTls) {
  std::vector<std::string> argv = CoturnArgv(
      "/usr/bin/turnserver", {"/s/cert.pem", "/s/key.pem", "/s/db", "/s/pid"});
  EXPECT_EQ(argv[0], "/usr/bin/turnserver");
  // Two addresses and an alternate port: RFC 5780's CHANGE-REQUEST.
  for (const char* arg :
       {"-n", "--no-cli", "--listening-ip=203.0.113.1",
        "--listening-ip=203.0.113.2", "--relay-ip=203.0.113.1",
        "--listening-port=3478", "--alt-listening-port=3479",
        "--tls-listening-port=443", "--lt-cred-mech", "--user=user:password",
        "--realm=natfwt.lab", "--cert=/s/cert.pem", "--pkey=/s/key.pem",
        "--db=/s/db", "--pidfile=/s/pid", "--log-file=stdout",
        "--fingerprint"}) {
    EXPECT_THAT(argv, Contains(arg));
  }
  EXPECT_THAT(argv, Not(Contains("--no-rfc5780")));
  EXPECT_THAT(argv, Not(Contains("--no-tls")));
  EXPECT_THAT(argv, Not(Contains("-o")));  // Never daemonises itself.
}

TEST(RendezvousArgv, ListensOnItsAddress) {
  EXPECT_THAT(
      RendezvousArgv("/b/natfwt"),
      ElementsAre("/b/natfwt", "rendezvous", "--listen", "203.0.113.3:443"));
}

TEST(ShimArgv, PassesDelayAndLoss) {
  EXPECT_THAT(ShimArgv("/b/natfwt", 25, 2.5),
              ElementsAre("/b/natfwt", "lab", "shim", "--queue", "0",
                          "--delay-ms", "25", "--loss-pct", "2.5"));
}

TEST(ShimIptablesArgs, QueuesForwardWithoutBypass) {
  std::vector<std::string> args = ShimIptablesArgs();
  EXPECT_THAT(args, ElementsAre("-w", "-t", "mangle", "-A", "FORWARD", "-j",
                                "NFQUEUE", "--queue-num", "0"));
  EXPECT_THAT(args, Not(Contains("--queue-bypass")));
}

TEST(NetemBatch, OneQdiscPerInterface) {
  EXPECT_EQ(NetemBatch({"a", "b"}, 20, 1.5),
            "qdisc add dev a root netem limit 65536 delay 20ms loss 1.5%\n"
            "qdisc add dev b root netem limit 65536 delay 20ms loss 1.5%\n");
  EXPECT_EQ(NetemBatch({"a"}, 0, 30),
            "qdisc add dev a root netem limit 65536 loss 30%\n");
  EXPECT_EQ(NetemBatch({"a"}, 5, 0),
            "qdisc add dev a root netem limit 65536 delay 5ms\n");
}

TEST(FormatPercent, DropsTrailingZeros) {
  EXPECT_EQ(FormatPercent(0), "0");
  EXPECT_EQ(FormatPercent(30), "30");
  EXPECT_EQ(FormatPercent(2.5), "2.5");
  EXPECT_EQ(FormatPercent(0.125), "0.125");
  EXPECT_EQ(FormatPercent(100), "100");
}

}  // namespace
}  // namespace natfwt::lab
