// Copyright 2026 The natfwt Authors.
//
// OwnerFilter against the real kernel, inside a private network namespace
// that this test process enters before creating anything (so every
// interface and nftables table disappears with the process, and the host's
// namespace is never touched; TearDown checks that).
//
// The scenario: an interface (dummy, or a veth pair where the kernel lacks
// the dummy driver) with a test prefix routed through it; UDP datagrams to
// that prefix sent by root (this process) and by owner_filter_helper running
// as nobody (uid/gid 65534, no supplementary groups). sendto() fails with
// EPERM when the filter drops the packet on the output hook.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/firewall/owner_filter.h"
#include "platform/sys/host_probe.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"

extern char** environ;

namespace natfwt::firewall {
namespace {

using ::natfwt::testing::FindTool;
using ::natfwt::testing::HaveNetworkNamespaces;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

// Exit code and output (stdout and stderr) of a tool run without a shell.
struct ToolResult {
  int exit_code = -1;
  std::string output;
};

ToolResult RunTool(const std::vector<std::string>& args) {
  ToolResult result;
  std::optional<std::string> path = FindTool(args[0]);
  if (!path.has_value()) return result;
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc =
      posix_spawn(&pid, path->c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  char chunk[4096];
  ssize_t n;
  while ((n = read(out[0], chunk, sizeof chunk)) > 0) {
    result.output.append(chunk, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  if (rc == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

// Runs `args` and fails the test unless it exits with 0.
void MustRun(const std::vector<std::string>& args) {
  ToolResult result = RunTool(args);
  EXPECT_EQ(result.exit_code, 0)
      << absl::StrJoin(args, " ") << ": " << result.output;
}

sockaddr_storage Address(const char* text, uint16_t port) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
  }
  return storage;
}

// One UDP datagram from this process (root) to `address` port 9; 0 or the
// errno of the failing call.
int SendUdp(const std::string& address) {
  const sockaddr_storage to = Address(address.c_str(), 9);
  int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const socklen_t size =
      to.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
  const char byte = 'x';
  int error =
      sendto(fd, &byte, 1, 0, reinterpret_cast<const sockaddr*>(&to), size) == 1
          ? 0
          : errno;
  close(fd);
  return error;
}

// The helper program next to this test binary (owner_filter_helper.cc).
std::string HelperPath() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  std::string path(self, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + "owner_filter_helper";
}

// Runs the helper with `args`; returns its exit code (-1 if it did not run).
int RunHelper(const std::vector<std::string>& args) {
  std::vector<std::string> copy = {HelperPath()};
  copy.insert(copy.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, copy[0].c_str(), nullptr, nullptr, argv.data(),
                  environ) != 0) {
    return -1;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// One UDP datagram to `address` port 9 sent by nobody:nogroup with no
// supplementary groups; 0 or the errno of the failing call.
int SendUdpAsNobody(const std::string& address) {
  return RunHelper({"send", std::to_string(kNobody), std::to_string(kNogroup),
                    address, "9"});
}

// Runs `args` inside the namespace this process started in; returns the
// exit code. Used only to look (list), never to change anything there.
int RunInHostNamespace(int host_netns, const std::vector<std::string>& args) {
  std::optional<std::string> path = FindTool(args[0]);
  if (!path.has_value()) return -1;
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0) _exit(126);
    if (setns(host_netns, CLONE_NEWNET) != 0) _exit(125);
    execv(path->c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

class OwnerFilterNetns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Probes first: they run in the host namespace and leave nothing behind.
    prerequisites_ = HaveNetworkNamespaces() && FindTool("nft").has_value() &&
                     FindTool("ip").has_value();
    if (!prerequisites_) return;
    host_netns_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    // This binary is single-threaded here; the namespace is the calling
    // thread's and is inherited by every child (ip, nft, senders).
    entered_ = host_netns_ >= 0 && unshare(CLONE_NEWNET) == 0;
  }

  void SetUp() override {
    NATFWT_REQUIRE(HaveNetworkNamespaces(),
                   "root, CAP_NET_ADMIN and network namespaces");
    NATFWT_REQUIRE(FindTool("nft").has_value(), "nft (package nftables)");
    NATFWT_REQUIRE(FindTool("ip").has_value(), "ip (package iproute2)");
    ASSERT_TRUE(prerequisites_ && entered_)
        << "could not enter a private network namespace";
    ASSERT_NE(ThisNamespace(), HostNamespace());
    if (!interface_ready_) CreateInterface();
    ASSERT_TRUE(interface_ready_);
  }

  void TearDown() override {
    if (!entered_) return;
    // Nothing of ours may exist in the host namespace. (Exit code 1 is the
    // tools' "no such table / device"; the first call shows that looking
    // into the host namespace works at all.)
    EXPECT_EQ(RunInHostNamespace(host_netns_, {"nft", "list", "tables"}), 0);
    EXPECT_EQ(RunInHostNamespace(host_netns_,
                                 {"nft", "list", "table", "inet", TableName()}),
              1);
    EXPECT_EQ(
        RunInHostNamespace(host_netns_, {"ip", "link", "show", "dev", ifname_}),
        1);
  }

  static ino_t Inode(const char* path) {
    struct stat info {};
    return stat(path, &info) == 0 ? info.st_ino : 0;
  }
  static ino_t ThisNamespace() { return Inode("/proc/thread-self/ns/net"); }
  static ino_t HostNamespace() {
    struct stat info {};
    return fstat(host_netns_, &info) == 0 ? info.st_ino : 0;
  }

  // A dummy interface (or, without the dummy driver, one end of a veth
  // pair) with ARP off, so datagrams leave without neighbour resolution.
  void CreateInterface() {
    if (RunTool({"ip", "link", "add", ifname_, "type", "dummy"}).exit_code !=
        0) {
      ASSERT_EQ(RunTool({"ip", "link", "add", ifname_, "type", "veth", "peer",
                         "name", ifname_ + "p"})
                    .exit_code,
                0);
      MustRun({"ip", "link", "set", ifname_ + "p", "up"});
    }
    MustRun({"ip", "link", "set", ifname_, "arp", "off", "up"});
    MustRun({"ip", "link", "set", "lo", "up"});
    MustRun({"ip", "addr", "add", "10.200.0.1/24", "dev", ifname_});
    MustRun({"ip", "route", "add", "10.201.0.0/24", "dev", ifname_});
    ipv6_ = sys::ProbeIpv6().ok;
    if (ipv6_) {
      MustRun({"ip", "-6", "addr", "add", "fd00:200::1/64", "dev", ifname_,
               "nodad"});
      MustRun({"ip", "-6", "route", "add", "fd00:201::/64", "dev", ifname_});
    }
    interface_ready_ = !HasFailure();
    RecordProperty("ipv6_checked", ipv6_ ? "yes" : "no");
  }

  static std::string TableName() { return "natfwt_" + ifname_; }

  bool TableExists() {
    return RunTool({"nft", "list", "table", "inet", TableName()}).exit_code ==
           0;
  }

  // Targets routed through the interface, per address family.
  std::vector<std::string> Targets() const {
    std::vector<std::string> targets = {"10.201.0.9"};
    if (ipv6_) targets.push_back("fd00:201::9");
    return targets;
  }

  void ExpectRootSends(int expected_errno) {
    for (const std::string& to : Targets()) {
      EXPECT_EQ(SendUdp(to), expected_errno) << "to " << to;
    }
  }
  void ExpectNobodySends(int expected_errno) {
    for (const std::string& to : Targets()) {
      EXPECT_EQ(SendUdpAsNobody(to), expected_errno) << "to " << to;
    }
  }

  static inline bool prerequisites_ = false;
  static inline bool entered_ = false;
  static inline int host_netns_ = -1;
  static inline bool interface_ready_ = false;
  static inline bool ipv6_ = false;
  static inline const std::string ifname_ =
      absl::StrCat("ofw", getpid() % 1000000);
};

TEST_F(OwnerFilterNetns, OnlyListedOwnersSendThroughTheInterface) {
  // Before any filter, both can send.
  ExpectRootSends(0);
  ExpectNobodySends(0);

  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> filter,
                              OwnerFilter::Install(ifname_, {0}, {}));
  EXPECT_EQ(filter->table_name(), TableName());
  EXPECT_TRUE(TableExists());
  ExpectRootSends(0);
  ExpectNobodySends(EPERM);
  // Other interfaces are not affected.
  EXPECT_EQ(SendUdpAsNobody("127.0.0.1"), 0);

  // Allowing nobody's group lets it send.
  ASSERT_THAT(filter->Update({0}, {kNogroup}), IsOk());
  ExpectNobodySends(0);
  ExpectRootSends(0);

  // Allowing nobody's uid alone: it sends, and root (no longer listed) not.
  ASSERT_THAT(filter->Update({kNobody}, {}), IsOk());
  ExpectNobodySends(0);
  ExpectRootSends(EPERM);

  // An empty policy: nobody at all.
  ASSERT_THAT(filter->Update({}, {}), IsOk());
  ExpectNobodySends(EPERM);
  ExpectRootSends(EPERM);

  ASSERT_THAT(filter->Remove(), IsOk());
  EXPECT_FALSE(filter->installed());
  EXPECT_FALSE(TableExists());
  ExpectRootSends(0);
  ExpectNobodySends(0);
  EXPECT_THAT(filter->Update({0}, {}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(OwnerFilterNetns, DestructorRemovesTheFilter) {
  {
    NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> filter,
                                OwnerFilter::Install(ifname_, {0}, {}));
    ExpectNobodySends(EPERM);
  }
  EXPECT_FALSE(TableExists());
  ExpectNobodySends(0);
}

TEST_F(OwnerFilterNetns, RemoveIsIdempotentAndToleratesAMissingTable) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> filter,
                              OwnerFilter::Install(ifname_, {0}, {}));
  MustRun({"nft", "delete", "table", "inet", TableName()});
  ASSERT_FALSE(TableExists());
  EXPECT_THAT(filter->Remove(), IsOk());
  EXPECT_THAT(filter->Remove(), IsOk());
  EXPECT_FALSE(TableExists());
}

TEST_F(OwnerFilterNetns, InstallReplacesAStaleTableAtomically) {
  // What a crashed earlier process could leave behind.
  MustRun({"nft", "add", "table", "inet", TableName()});
  MustRun({"nft", "add", "chain", "inet", TableName(), "stale_chain"});
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> filter,
                              OwnerFilter::Install(ifname_, {0}, {}));
  ToolResult listing = RunTool({"nft", "list", "table", "inet", TableName()});
  ASSERT_EQ(listing.exit_code, 0);
  EXPECT_THAT(listing.output, Not(HasSubstr("stale_chain")));
  EXPECT_THAT(listing.output, HasSubstr("meta skuid @allowed_uids accept"));
  ExpectNobodySends(EPERM);
}

TEST_F(OwnerFilterNetns, OneFilterPerInterfaceAndProcess) {
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> first,
                              OwnerFilter::Install(ifname_, {0}, {}));
  EXPECT_THAT(OwnerFilter::Install(ifname_, {kNobody}, {}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  ExpectNobodySends(EPERM);  // The refused second filter changed nothing.
  first.reset();
  NATFWT_ASSERT_OK_AND_ASSIGN(std::unique_ptr<OwnerFilter> second,
                              OwnerFilter::Install(ifname_, {kNobody}, {}));
  ExpectNobodySends(0);
}

TEST_F(OwnerFilterNetns, WithoutCapNetAdminInstallIsPermissionDenied) {
  EXPECT_EQ(RunHelper({"install", std::to_string(kNobody),
                       std::to_string(kNogroup), ifname_}),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
  EXPECT_FALSE(TableExists());
}

}  // namespace
}  // namespace natfwt::firewall
