// Copyright 2026 The natfwt Authors.
//
// `natfwt probe` and `natfwt turn` as a user runs them: the real binary
// against coturn on loopback. --json output must parse (Python's json
// module, independent of our writer) and carry the documented keys; exit
// codes are 0 ok, 1 failure, 2 usage.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/probe/stun_exchange.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/engine/ice/ice_test_support.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt {
namespace {

using ::natfwt::ice::TurnTransport;
using ::natfwt::ice::testing::TurnServerProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Result {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result RunShell(const std::string& command, const testing::TempDir& dir) {
  const std::string out = dir.File("out"), err = dir.File("err");
  const int status =
      std::system(absl::StrCat(command, " >", out, " 2>", err).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out),
          ReadAll(err)};
}

// The `paths` (dotted, e.g. "mapping.behavior") of a JSON document, read by
// Python's json module: each value as JSON text, "<missing>" when absent.
std::map<std::string, std::string> JsonFields(
    const std::string& json, const std::vector<std::string>& paths,
    const testing::TempDir& dir) {
  std::ofstream(dir.File("doc.json")) << json;
  const std::string script =
      "import json,sys\n"
      "d=json.load(open(sys.argv[1]))\n"
      "for p in sys.argv[2:]:\n"
      "  v=d\n"
      "  for k in p.split('.'):\n"
      "    v=v[k] if isinstance(v,dict) and k in v else '<missing>'\n"
      "  print(p+'='+(v if v=='<missing>' else json.dumps(v)))\n";
  std::ofstream(dir.File("fields.py")) << script;
  const std::string python =
      natfwt::testing::FindTool("python3").value_or("python3");
  Result result = RunShell(
      absl::StrCat(python, " ", dir.File("fields.py"), " ",
                   dir.File("doc.json"), " ", absl::StrJoin(paths, " ")),
      dir);
  EXPECT_EQ(result.exit_code, 0) << "not JSON: " << json << result.err;
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(result.out, '\n')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, '=');
    if (!kv.first.empty()) fields[kv.first] = kv.second;
  }
  return fields;
}

class ProbeCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!natfwt::testing::FindTool("turnserver")) return;
    absl::StatusOr<std::unique_ptr<TurnServerProcess>> started =
        TurnServerProcess::Start({.rfc5780 = true});
    if (started.ok()) server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    NATFWT_REQUIRE(natfwt::testing::FindTool("turnserver").has_value(),
                   "coturn's turnserver is not installed");
    NATFWT_REQUIRE(natfwt::testing::FindTool("python3").has_value(),
                   "python3 is needed to parse the JSON output");
    ASSERT_NE(server_, nullptr) << "turnserver did not start";
    ASSERT_NE(std::getenv("NATFWT_BINARY"), nullptr);
    NATFWT_ASSERT_OK_AND_ASSIGN(dir_, testing::TempDir::Create("probe-cli"));
  }

  Result Natfwt(const std::string& args) {
    return RunShell(absl::StrCat(std::getenv("NATFWT_BINARY"), " ", args),
                    *dir_);
  }
  std::string TurnArgs(TurnTransport transport) {
    const ice::TurnServer s = server_->Server(transport);
    std::string args = absl::StrCat("turn --server '", s.uri, "' --user ",
                                    s.username, " --password ", s.password);
    if (!s.tls_ca_file.empty())
      absl::StrAppend(&args, " --ca-file ", s.tls_ca_file);
    return args;
  }

  static TurnServerProcess* server_;
  std::optional<testing::TempDir> dir_;
};

TurnServerProcess* ProbeCliTest::server_ = nullptr;

TEST_F(ProbeCliTest, ProbeJsonReportsOpenLoopback) {
  Result probe = Natfwt(
      absl::StrCat("probe --stun 127.0.0.1:", server_->port(), " --json"));
  EXPECT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.err, IsEmpty());
  const std::map<std::string, std::string> f =
      JsonFields(probe.out,
                 {"ok",
                  "nat_type",
                  "server",
                  "other_address",
                  "local",
                  "mapped",
                  "behind_nat",
                  "rtt_ms",
                  "mapping.behavior",
                  "mapping.test1",
                  "mapping.test2",
                  "mapping.test3",
                  "filtering.behavior",
                  "filtering.change_ip_and_port",
                  "filtering.change_port",
                  "hairpinning",
                  "port_allocation.pattern",
                  "port_allocation.samples",
                  "path.probed",
                  "path.hops",
                  "path.server_ttl",
                  "path.note",
                  "cgnat",
                  "nat_depth",
                  "mapped_addresses",
                  "public_ips",
                  "notes"},
                 *dir_);
  for (const auto& [path, value] : f) {
    EXPECT_NE(value, "<missing>") << path;
  }
  EXPECT_EQ(f.at("ok"), "true");
  EXPECT_EQ(f.at("nat_type"), "\"open\"");
  EXPECT_EQ(f.at("mapped"), f.at("local"));
  EXPECT_EQ(f.at("behind_nat"), "false");
  EXPECT_EQ(f.at("mapping.behavior"), "\"endpoint-independent\"");
  EXPECT_EQ(f.at("filtering.behavior"), "\"endpoint-independent\"");
  EXPECT_EQ(f.at("port_allocation.pattern"), "\"preserving\"");
  EXPECT_EQ(f.at("hairpinning"), "true");
  EXPECT_EQ(f.at("public_ips"), "[\"127.0.0.1\"]");
  EXPECT_EQ(f.at("other_address"),
            absl::StrCat("\"", TurnServerProcess::kAlternateAddress, ":",
                         server_->port() + 1, "\""));
}

TEST_F(ProbeCliTest, ProbeTextNamesTheType) {
  Result probe =
      Natfwt(absl::StrCat("probe --stun 127.0.0.1:", server_->port()));
  EXPECT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("NAT type          open"));
  EXPECT_THAT(probe.out, HasSubstr("filtering         endpoint-independent"));
}

TEST_F(ProbeCliTest, ProbeSilentServerExitsOneAsUdpBlocked) {
  std::unique_ptr<net::UdpSocket> silent =
      *probe::OpenStunSocket({*net::IpAddress::Parse("127.0.0.1"), 0});
  Result probe = Natfwt(
      absl::StrCat("probe --stun 127.0.0.1:", silent->local_address().port,
                   " --timeout-ms 300 --json"));
  EXPECT_EQ(probe.exit_code, 1);
  EXPECT_THAT(probe.err, HasSubstr("no STUN answer from 127.0.0.1"));
  const auto f = JsonFields(probe.out, {"ok", "nat_type", "mapped"}, *dir_);
  EXPECT_EQ(f.at("ok"), "false");
  EXPECT_EQ(f.at("nat_type"), "\"udp-blocked\"");
  EXPECT_EQ(f.at("mapped"), "null");
}

TEST_F(ProbeCliTest, ProbeUsageErrorsExitTwo) {
  for (const char* args :
       {"probe", "probe --stun", "probe --stun 'bad host!'",
        "probe --stun 127.0.0.1:0", "probe --stun 127.0.0.1 --timeout-ms 0",
        "probe --stun 127.0.0.1 --bindings 1",
        "probe --stun 127.0.0.1 --max-hops x",
        "probe --stun 127.0.0.1 extra"}) {
    Result usage = Natfwt(args);
    EXPECT_EQ(usage.exit_code, 2) << args << ": " << usage.err;
    EXPECT_THAT(usage.out, IsEmpty()) << args;
  }
  Result help = Natfwt("probe --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag :
       {"--stun", "--json", "--timeout-ms", "--bindings", "--max-hops"}) {
    EXPECT_THAT(help.out, HasSubstr(flag));
  }
}

TEST_F(ProbeCliTest, TurnJsonOverEveryTransport) {
  for (TurnTransport transport :
       {TurnTransport::kUdp, TurnTransport::kTcp, TurnTransport::kTls}) {
    Result turn =
        Natfwt(absl::StrCat(TurnArgs(transport), " --datagrams 3 --json"));
    EXPECT_EQ(turn.exit_code, 0) << turn.err;
    const auto f = JsonFields(
        turn.out,
        {"ok", "uri", "transport", "server", "local", "allocation.relayed",
         "allocation.mapped", "allocation.lifetime_s", "allocation.rtt_ms",
         "allocation.released", "relay.relayed_a", "relay.relayed_b",
         "relay.sent", "relay.echoed", "relay.rtt_ms.min", "relay.rtt_ms.avg",
         "relay.rtt_ms.max", "failed_step", "error"},
        *dir_);
    for (const auto& [path, value] : f) {
      EXPECT_NE(value, "<missing>") << path;
    }
    EXPECT_EQ(f.at("ok"), "true");
    EXPECT_EQ(f.at("transport"),
              absl::StrCat("\"", ice::TurnTransportName(transport), "\""));
    EXPECT_THAT(f.at("allocation.relayed"), HasSubstr("\"127.0.0.1:"));
    EXPECT_EQ(f.at("allocation.released"), "true");
    EXPECT_EQ(f.at("relay.sent"), "3");
    EXPECT_EQ(f.at("relay.echoed"), "3");
    EXPECT_EQ(f.at("failed_step"), "null");
    EXPECT_EQ(f.at("error"), "null");
  }
}

TEST_F(ProbeCliTest, TurnWrongPasswordExitsOneWithTheReason) {
  const ice::TurnServer s = server_->Server(TurnTransport::kUdp);
  std::ofstream(dir_->File("password")) << "wrong\n";
  Result turn = Natfwt(absl::StrCat("turn --server ", s.uri, " --user ",
                                    s.username, " --password-file ",
                                    dir_->File("password"), " --json"));
  EXPECT_EQ(turn.exit_code, 1);
  EXPECT_THAT(turn.err, HasSubstr("rejected the credentials of user"));
  const auto f =
      JsonFields(turn.out, {"ok", "failed_step", "error", "allocation"}, *dir_);
  EXPECT_EQ(f.at("ok"), "false");
  EXPECT_EQ(f.at("failed_step"), "\"allocate\"");
  EXPECT_THAT(f.at("error"), HasSubstr("401"));
  EXPECT_EQ(f.at("allocation"), "null");
}

TEST_F(ProbeCliTest, TurnUnreachableServerExitsOneWithinTheTimeout) {
  std::unique_ptr<net::UdpSocket> silent =
      *probe::OpenStunSocket({*net::IpAddress::Parse("127.0.0.1"), 0});
  const absl::Time start = absl::Now();
  Result turn = Natfwt(absl::StrCat(
      "turn --server turn:127.0.0.1:", silent->local_address().port,
      " --user u --password p --timeout-ms 700"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));
  EXPECT_EQ(turn.exit_code, 1);
  EXPECT_THAT(turn.err, HasSubstr("allocate failed: no answer from"));
}

TEST_F(ProbeCliTest, TurnUsageErrorsExitTwo) {
  for (const char* args :
       {"turn", "turn --server turn:127.0.0.1 --user u",
        "turn --server turn:127.0.0.1 --password p",
        "turn --server stun:127.0.0.1 --user u --password p",
        "turn --server turn:127.0.0.1 --user u --password p --password-file f",
        "turn --server turn:127.0.0.1 --user u --password p --datagrams 0",
        "turn --server turn:127.0.0.1 --user u --password-file /nonexistent"}) {
    Result usage = Natfwt(args);
    EXPECT_EQ(usage.exit_code, 2) << args << ": " << usage.err;
  }
  Result help = Natfwt("turn --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--allow-loopback-peers"));
}

}  // namespace
}  // namespace natfwt
