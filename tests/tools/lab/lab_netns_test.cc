// Copyright 2026 The natfwt Authors.
//
// The NAT lab for real (root, network namespaces, nftables, coturn): one lab
// with a host of every kind, observed from sockets opened inside the hosts'
// and the servers' namespaces:
//   * mapping: the public endpoint a host gets towards two server addresses
//     (the same for endpoint-independent kinds, another for symmetric ones);
//   * filtering: whether packets from another port or another address of
//     the wan reach the host's mapping, per kind;
//   * blocked: no UDP out, TCP to 443 and 3478 only;
//   * coturn: STUN on both addresses, RFC 5780 CHANGE-REQUEST, TLS on 443
//     verified against the lab's certificate;
//   * `lab flush`, `lab exec`, a second lab with delay and loss, a lab up
//     whose rendezvous fails, and that `lab down` leaves nothing behind.
// Absence (a filtered packet) is checked after a later control packet on the
// same path has arrived, plus a short drain.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"
#include "tools/lab/lab.h"
#include "tools/lab/netns.h"
#include "tools/lab/stun_binding.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr milliseconds kArrival{2000};  // Deadline for an expected packet.
constexpr milliseconds kDrain{100};     // Extra wait for an unexpected one.

std::string Binary() {
  const char* binary = std::getenv("NATFWT_BINARY");
  return binary != nullptr ? binary : "";
}

bool HaveLabTools() {
  for (const char* tool :
       {"ip", "nft", "turnserver", "conntrack", "iptables", "ping"}) {
    if (!natfwt::testing::FindTool(tool)) return false;
  }
  return !Binary().empty();
}

#define REQUIRE_LAB()                                                        \
  NATFWT_REQUIRE(natfwt::testing::HaveNetworkNamespaces() && HaveLabTools(), \
                 "root, network namespaces, iproute2, nftables, "            \
                 "coturn, conntrack, iptables, ping and NATFWT_BINARY")

CommandResult Natfwt(std::vector<std::string> args) {
  std::vector<std::string> argv = {Binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<CommandResult> result = RunCommand({argv, ""});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : CommandResult{};
}

struct Endpoint {
  std::string ip;
  uint16_t port = 0;
  bool operator==(const Endpoint& o) const {
    return ip == o.ip && port == o.port;
  }
};

sockaddr_in ToSockaddr(const Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  inet_pton(AF_INET, endpoint.ip.c_str(), &address.sin_addr);
  return address;
}

Endpoint FromSockaddr(const sockaddr_in& address) {
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &address.sin_addr, text, sizeof(text));
  return {text, ntohs(address.sin_port)};
}

// A UDP socket inside a namespace.
class Udp {
 public:
  Udp(const std::string& ns, const std::string& ip) {
    absl::StatusOr<int> fd = OpenSocketInNamespace(ns, AF_INET, SOCK_DGRAM);
    EXPECT_TRUE(fd.ok()) << fd.status();
    fd_ = fd.value_or(-1);
    sockaddr_in address = ToSockaddr({ip, 0});
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
              0)
        << ns << " " << ip << ": " << std::strerror(errno);
    socklen_t len = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &len);
    local_ = FromSockaddr(address);
  }
  ~Udp() {
    if (fd_ >= 0) close(fd_);
  }
  Udp(const Udp&) = delete;
  Udp& operator=(const Udp&) = delete;

  const Endpoint& local() const { return local_; }
  int fd() const { return fd_; }

  void SendTo(const Endpoint& to, absl::Span<const uint8_t> data) {
    sockaddr_in address = ToSockaddr(to);
    EXPECT_EQ(sendto(fd_, data.data(), data.size(), 0,
                     reinterpret_cast<sockaddr*>(&address), sizeof(address)),
              static_cast<ssize_t>(data.size()))
        << std::strerror(errno);
  }
  void SendTo(const Endpoint& to, const std::string& text) {
    SendTo(to, absl::MakeConstSpan(
                   reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }

  struct Datagram {
    std::string data;
    Endpoint from;
  };
  // The next datagram, waiting at most `timeout`.
  std::optional<Datagram> Receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1)
      return std::nullopt;
    char buffer[2048];
    sockaddr_in from{};
    socklen_t len = sizeof(from);
    ssize_t n = recvfrom(fd_, buffer, sizeof(buffer), 0,
                         reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;
    return Datagram{std::string(buffer, static_cast<size_t>(n)),
                    FromSockaddr(from)};
  }

 private:
  int fd_ = -1;
  Endpoint local_;
};

enum class Connect { kConnected, kRefused, kTimedOut };

Connect TcpConnect(const std::string& ns, const Endpoint& to,
                   milliseconds timeout, int* out_fd = nullptr) {
  absl::StatusOr<int> fd = OpenSocketInNamespace(ns, AF_INET, SOCK_STREAM);
  EXPECT_TRUE(fd.ok()) << fd.status();
  if (!fd.ok()) return Connect::kRefused;
  fcntl(*fd, F_SETFL, O_NONBLOCK);
  sockaddr_in address = ToSockaddr(to);
  connect(*fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  pollfd p{*fd, POLLOUT, 0};
  Connect result = Connect::kTimedOut;
  if (poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(*fd, SOL_SOCKET, SO_ERROR, &error, &len);
    result = error == 0 ? Connect::kConnected : Connect::kRefused;
  }
  if (out_fd != nullptr && result == Connect::kConnected) {
    fcntl(*fd, F_SETFL, 0);
    *out_fd = *fd;
  } else {
    close(*fd);
  }
  return result;
}

// The mapped address a STUN server reports, seen through `socket`.
std::optional<Endpoint> StunMapped(Udp& socket, const Endpoint& server,
                                   uint32_t change = 0,
                                   Endpoint* answered_from = nullptr) {
  StunTransactionId id = NewStunTransactionId();
  socket.SendTo(server, BuildBindingRequest(id, change));
  std::optional<Udp::Datagram> reply = socket.Receive(kArrival);
  if (!reply) return std::nullopt;
  if (answered_from != nullptr) *answered_from = reply->from;
  absl::StatusOr<StunAddress> mapped = ParseBindingResponse(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(reply->data.data()),
                          reply->data.size()),
      id);
  if (!mapped.ok()) return std::nullopt;
  return Endpoint{mapped->ip, mapped->port};
}

// The lab every test of the fixture shares: all seven kinds, no
// rendezvous (the placeholder command cannot serve it yet).
class LabFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_LAB();
    if (!lab_) {
      LabSpec spec{.name = GenerateLabName(),
                   .hosts = DefaultHosts(),
                   .rendezvous = false};
      absl::StatusOr<Lab> lab = LabUp(spec, Options());
      ASSERT_TRUE(lab.ok()) << lab.status();
      lab_ = std::make_unique<Lab>(std::move(*lab));
    }
  }

  static void TearDownTestSuite() {
    if (!lab_) return;
    std::string name = lab_->plan.lab;
    std::vector<ProcessRecord> processes = lab_->state.processes;
    bool removed = false;
    EXPECT_THAT(LabDown(name, Options(), &removed), natfwt::testing::IsOk());
    EXPECT_TRUE(removed);
    EXPECT_THAT(ListNamespaces(NamespacePrefix(name)), ::testing::IsEmpty());
    for (const ProcessRecord& p : processes) {
      EXPECT_FALSE(ProcessAlive(p)) << p.role << " " << p.pid;
    }
    EXPECT_FALSE(std::filesystem::exists(lab_->state_dir));
    lab_.reset();
  }

  static LabOptions Options() {
    LabOptions options;
    options.natfwt_path = Binary();
    return options;
  }

  static const HostPlan& Host(absl::string_view name) {
    absl::StatusOr<const HostPlan*> host = FindHost(lab_->plan, name);
    EXPECT_TRUE(host.ok());
    return **host;
  }

  static std::unique_ptr<Lab> lab_;
};

std::unique_ptr<Lab> LabFixture::lab_;

struct KindCase {
  const char* host;
  bool endpoint_independent_mapping;
  bool from_other_port;     // Filtering admits the same address, new port.
  bool from_other_address;  // Filtering admits another address.
};

void PrintTo(const KindCase& c, std::ostream* os) { *os << c.host; }

class LabKindTest : public LabFixture,
                    public ::testing::WithParamInterface<KindCase> {};

TEST_P(LabKindTest, MapsAndFiltersAsItsKind) {
  const KindCase& c = GetParam();
  const HostPlan& host = Host(c.host);
  const std::string& srv = lab_->plan.srv_ns;
  Udp h(host.ns, "0.0.0.0");
  Udp s1(srv, "203.0.113.1"), s2(srv, "203.0.113.1"), s3(srv, "203.0.113.2");

  h.SendTo(s1.local(), "map1");
  std::optional<Udp::Datagram> first = s1.Receive(kArrival);
  ASSERT_TRUE(first) << "no packet from " << c.host << " reached the wan";
  Endpoint m1 = first->from;
  EXPECT_EQ(m1.ip, host.public_address);
  if (c.endpoint_independent_mapping) {
    EXPECT_EQ(m1.port, h.local().port) << "masquerade keeps the port";
  }

  // Filtering: two probes at the mapping, then a control on the
  // established flow; whatever passes arrives before the control.
  s2.SendTo(m1, "other-port");
  s3.SendTo(m1, "other-address");
  s1.SendTo(m1, "control");
  std::set<std::string> got;
  for (auto deadline = std::chrono::steady_clock::now() + kArrival;
       !got.contains("control") &&
       std::chrono::steady_clock::now() < deadline;) {
    if (auto d = h.Receive(kArrival)) got.insert(d->data);
  }
  while (auto d = h.Receive(kDrain)) got.insert(d->data);
  EXPECT_TRUE(got.contains("control"));
  EXPECT_EQ(got.contains("other-port"), c.from_other_port);
  EXPECT_EQ(got.contains("other-address"), c.from_other_address);

  // Mapping: the same socket towards the other address.
  h.SendTo(s3.local(), "map2");
  std::optional<Udp::Datagram> second = s3.Receive(kArrival);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->from.ip, host.public_address);
  if (c.endpoint_independent_mapping) {
    EXPECT_EQ(second->from.port, m1.port);
  } else {
    EXPECT_NE(second->from.port, m1.port);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, LabKindTest,
    ::testing::Values(KindCase{"open", true, true, true},
                      KindCase{"full", true, true, true},
                      KindCase{"restricted", true, true, false},
                      KindCase{"port", true, false, false},
                      KindCase{"symmetric", false, false, false},
                      KindCase{"cgnat", false, false, false}),
    [](const ::testing::TestParamInfo<KindCase>& param) {
      return std::string(param.param.host);
    });

TEST_F(LabFixture, BlockedAllowsOnlyTcpTo443And3478) {
  const HostPlan& host = Host("blocked");
  Udp h(host.ns, "0.0.0.0");
  Udp s1(lab_->plan.srv_ns, "203.0.113.1");
  h.SendTo(s1.local(), "udp-out");
  EXPECT_EQ(TcpConnect(host.ns, {"203.0.113.1", 443}, kArrival),
            Connect::kConnected);
  EXPECT_EQ(TcpConnect(host.ns, {"203.0.113.1", 3478}, kArrival),
            Connect::kConnected);
  // Dropped, not refused: no RST comes back through the firewall.
  EXPECT_EQ(TcpConnect(host.ns, {"203.0.113.1", 3479}, milliseconds(300)),
            Connect::kTimedOut);
  EXPECT_FALSE(s1.Receive(kDrain)) << "UDP left the blocked host";
}

TEST_F(LabFixture, CoturnAnswersStunOnBothAddresses) {
  const HostPlan& open = Host("open");
  Udp h(open.ns, "0.0.0.0");
  Endpoint own{open.address, h.local().port};
  for (const char* server : {"203.0.113.1", "203.0.113.2"}) {
    std::optional<Endpoint> mapped = StunMapped(h, {server, 3478});
    ASSERT_TRUE(mapped) << server;
    EXPECT_EQ(*mapped, own) << server;
  }
  // RFC 5780: "change IP and port" is answered from the other address and
  // the alternate port.
  Endpoint from;
  std::optional<Endpoint> changed = StunMapped(
      h, {"203.0.113.1", 3478}, kStunChangeIp | kStunChangePort, &from);
  ASSERT_TRUE(changed);
  EXPECT_EQ(from, (Endpoint{"203.0.113.2", 3479}));
}

TEST_F(LabFixture, CoturnServesTlsWithTheLabCertificate) {
  int fd = -1;
  ASSERT_EQ(TcpConnect(Host("open").ns, {"203.0.113.1", 443}, kArrival, &fd),
            Connect::kConnected);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_EQ(SSL_CTX_load_verify_locations(ctx, lab_->certificate_path.c_str(),
                                          nullptr),
            1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "203.0.113.1");
  SSL_set_fd(ssl, fd);
  int rc = SSL_connect(ssl);
  EXPECT_EQ(rc, 1) << ERR_error_string(ERR_get_error(), nullptr);
  EXPECT_EQ(SSL_get_verify_result(ssl), X509_V_OK);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  close(fd);
}

// The conntrack entries of `router` towards UDP port `port`.
std::string ConntrackTo(const std::string& lab, const std::string& router,
                        uint16_t port) {
  CommandResult result =
      Natfwt({"lab", "exec", lab, router, "--", "conntrack", "-L", "-p", "udp",
              "--orig-port-dst", absl::StrCat(port)});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

TEST_F(LabFixture, FlushForgetsMappings) {
  const std::string& name = lab_->plan.lab;
  const std::string& srv = lab_->plan.srv_ns;
  // Symmetric: a new random public port after the flush.
  Udp sym(Host("symmetric").ns, "0.0.0.0");
  Udp s1(srv, "203.0.113.1");
  sym.SendTo(s1.local(), "before");
  std::optional<Udp::Datagram> before = s1.Receive(kArrival);
  ASSERT_TRUE(before);
  CommandResult flush = Natfwt({"lab", "flush", name, "symmetric"});
  EXPECT_EQ(flush.exit_code, 0) << flush.err;
  EXPECT_THAT(flush.out, HasSubstr(Host("symmetric").routers[0]));
  sym.SendTo(s1.local(), "after");
  std::optional<Udp::Datagram> after = s1.Receive(kArrival);
  ASSERT_TRUE(after);
  EXPECT_NE(after->from.port, before->from.port);

  // Port-restricted: the entry is gone (its port is kept when re-created).
  Udp port(Host("port").ns, "0.0.0.0");
  port.SendTo(s1.local(), "x");
  ASSERT_TRUE(s1.Receive(kArrival));
  EXPECT_THAT(ConntrackTo(name, "r-port", s1.local().port),
              HasSubstr(absl::StrCat("dport=", s1.local().port)));
  EXPECT_EQ(Natfwt({"lab", "flush", name, "port"}).exit_code, 0);
  EXPECT_EQ(ConntrackTo(name, "r-port", s1.local().port), "");

  // cgnat: both of its routers; open: nothing to flush.
  CommandResult cgnat = Natfwt({"lab", "flush", name, "cgnat"});
  EXPECT_EQ(cgnat.exit_code, 0) << cgnat.err;
  EXPECT_THAT(cgnat.out, HasSubstr("-r-cgnat:"));
  EXPECT_THAT(cgnat.out, HasSubstr("-c-cgnat:"));
  CommandResult open = Natfwt({"lab", "flush", name, "open"});
  EXPECT_EQ(open.exit_code, 0);
  EXPECT_THAT(open.out, HasSubstr("no router"));
  EXPECT_EQ(Natfwt({"lab", "flush", name, "nosuch"}).exit_code, 1);
}

TEST_F(LabFixture, ExecRunsInTheNamespaceAndPassesTheExitCode) {
  const std::string& name = lab_->plan.lab;
  EXPECT_EQ(Natfwt({"lab", "exec", name, "port", "--", "sh", "-c", "exit 7"})
                .exit_code,
            7);
  CommandResult wan =
      Natfwt({"lab", "exec", name, "wan", "--", "ip", "-o", "-4", "addr"});
  EXPECT_EQ(wan.exit_code, 0);
  EXPECT_THAT(wan.out, HasSubstr("198.18.0.1/24"));
  CommandResult router =
      Natfwt({"lab", "exec", name, "r-full", "--", "ip", "-o", "-4", "addr"});
  EXPECT_THAT(router.out, HasSubstr("192.168.2.1/24"));
  CommandResult unknown = Natfwt({"lab", "exec", name, "nosuch", "--", "true"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("has no 'nosuch'"));
}

TEST_F(LabFixture, ShowAndListDescribeTheLab) {
  const std::string& name = lab_->plan.lab;
  CommandResult show = Natfwt({"lab", "show", name, "--json"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_THAT(show.out, HasSubstr(R"("name":"symmetric","kind":"symmetric")"));
  EXPECT_THAT(show.out, HasSubstr(R"("turn_username":"user")"));
  EXPECT_THAT(show.out, HasSubstr(R"("complete":true)"));
  CommandResult list = Natfwt({"lab", "list"});
  EXPECT_THAT(list.out, HasSubstr(name + " "));
}

TEST_F(LabFixture, SecondLabOfTheSameNameIsRefused) {
  LabSpec spec{.name = lab_->plan.lab,
               .hosts = {{"a", NatKind::kPort}},
               .rendezvous = false};
  EXPECT_THAT(LabUp(spec, Options()),
              StatusIs(absl::StatusCode::kAlreadyExists));
  // The running lab is untouched.
  EXPECT_EQ(ListNamespaces(NamespacePrefix(spec.name)).size(),
            lab_->plan.namespaces.size());
}

// Live processes whose command line mentions `text`.
std::vector<pid_t> ProcessesMentioning(const std::string& text) {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    pid_t pid;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &pid)) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::stringstream buffer;
    buffer << in.rdbuf();
    absl::StatusOr<uint64_t> start = ProcessStartTime(pid);
    if (start.ok() && absl::StrContains(buffer.str(), text) &&
        ProcessAlive({"", pid, *start})) {
      found.push_back(pid);
    }
  }
  return found;
}

TEST(LabUpFailure, FailingRendezvousTearsDownEverything) {
  REQUIRE_LAB();
  LabOptions options;
  options.natfwt_path = Binary();
  options.rendezvous_argv = {"/bin/false"};
  LabSpec spec{.name = GenerateLabName(), .hosts = {{"a", NatKind::kCgnat}}};
  absl::StatusOr<Lab> lab = LabUp(spec, options);
  EXPECT_THAT(lab, StatusIs(absl::StatusCode::kInternal,
                            HasSubstr("rendezvous exited with status 1")));
  EXPECT_THAT(ListNamespaces(NamespacePrefix(spec.name)), ::testing::IsEmpty());
  std::string state_dir = absl::StrCat(kDefaultStateRoot, "/", spec.name);
  EXPECT_FALSE(std::filesystem::exists(state_dir));
  EXPECT_THAT(ProcessesMentioning(state_dir + "/"), ::testing::IsEmpty());
  if (!lab.ok()) return;
  EXPECT_THAT(LabDown(spec.name, options, nullptr), natfwt::testing::IsOk());
}

// "rtt min/avg/max/mdev = 50.1/..." and "200 packets transmitted, 98
// received" from ping -q.
struct PingSummary {
  int sent = 0, received = 0;
  double min_ms = 0;
};

std::optional<PingSummary> ParsePing(const std::string& out) {
  std::smatch m;
  PingSummary summary;
  if (!std::regex_search(out, m,
                         std::regex(R"((\d+) packets transmitted, (\d+) )"))) {
    return std::nullopt;
  }
  summary.sent = std::stoi(m[1]);
  summary.received = std::stoi(m[2]);
  if (std::regex_search(out, m, std::regex(R"(= ([0-9.]+)/)"))) {
    summary.min_ms = std::stod(m[1]);
  }
  return summary;
}

TEST(LabImpairment, DelaysAndDropsPerWanCrossing) {
  REQUIRE_LAB();
  std::string name = GenerateLabName();
  struct Down {
    std::string name;
    ~Down() {
      LabOptions options;
      (void)LabDown(name, options, nullptr);
    }
  } guard{name};
  constexpr int kDelayMs = 25;
  CommandResult up = Natfwt({"lab", "up", "--name", name, "--host", "o=open",
                             "--delay-ms", absl::StrCat(kDelayMs), "--loss-pct",
                             "30", "--no-rendezvous", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_THAT(up.out, ::testing::AnyOf(HasSubstr(R"("impairment":"shim")"),
                                       HasSubstr(R"("impairment":"netem")")));
  LabOptions options;
  absl::StatusOr<Lab> lab = LoadLab(name, options);
  ASSERT_TRUE(lab.ok()) << lab.status();

  CommandResult ping =
      Natfwt({"lab", "exec", name, "o", "--", "ping", "-q", "-n", "-c", "200",
              "-i", "0.005", "-W", "1", "203.0.113.1"});
  std::optional<PingSummary> summary = ParsePing(ping.out);
  ASSERT_TRUE(summary) << ping.out << ping.err;
  EXPECT_EQ(summary->sent, 200);
  // Each crossing delays kDelayMs: a round trip crosses twice.
  EXPECT_GE(summary->min_ms, 2 * kDelayMs);
  EXPECT_LT(summary->min_ms, 2 * kDelayMs + 40);
  // 30% loss per crossing: (1 - 0.3)^2 = 49% of pings come back; the band
  // is about +-4.5 standard deviations for 200 pings.
  double loss = 100.0 * (summary->sent - summary->received) / summary->sent;
  EXPECT_GT(loss, 35.0) << ping.out;
  EXPECT_LT(loss, 67.0) << ping.out;

  CommandResult down = Natfwt({"lab", "down", name});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_THAT(down.out, HasSubstr("removed"));
  EXPECT_THAT(ListNamespaces(NamespacePrefix(name)), ::testing::IsEmpty());
  CommandResult netns = Natfwt({"lab", "list"});
  EXPECT_THAT(netns.out, ::testing::Not(HasSubstr(name + " ")));
  for (const ProcessRecord& p : lab->state.processes) {
    EXPECT_FALSE(ProcessAlive(p)) << p.role;
  }
  absl::StatusOr<CommandResult> links =
      RunCommand({{*natfwt::testing::FindTool("ip"), "-o", "link"}, ""});
  ASSERT_TRUE(links.ok());
  EXPECT_THAT(links->out, ::testing::Not(HasSubstr("n" + name)));
  // Idempotent.
  CommandResult again = Natfwt({"lab", "down", name});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("nothing to remove"));
}

}  // namespace
}  // namespace natfwt::lab
