// Copyright 2026 The natfwt Authors.

#include "facade/identity/association_store.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cpnatfwt.h"
#include "facade/identity/address_plan.h"
#include "facade/identity/luid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/identity/association_test_util.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::cp {
namespace {

using ::natfwt::cp::testing::MakeRecord;
using ::natfwt::cp::testing::TestEpoch;
using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::natfwt::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kOwner[] = "uid:1000";
constexpr char kOther[] = "guid:6b29fc40-ca47-1067-b31d-00dd010662da";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const std::string& path, absl::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct stat StatOf(const std::string& path) {
  struct stat info = {};
  EXPECT_EQ(stat(path.c_str(), &info), 0) << path;
  return info;
}

class AssociationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TempDir> temp = TempDir::Create("identity");
    ASSERT_THAT(temp, IsOk());
    temp_.emplace(*std::move(temp));
    dir_ = temp_->File("state/natfwt");  // Parents are created too.
  }

  // Allocates for kOwner, names the record and saves it.
  AssociationRecord AllocateAndSave(AssociationStore& store,
                                    absl::string_view friendly,
                                    absl::Time now) {
    absl::StatusOr<AssociationRecord> record =
        store.Allocate(kOwner, gen_, now);
    EXPECT_THAT(record, IsOk());
    if (!record.ok()) return {};
    record->friendly_name = std::string(friendly);
    EXPECT_THAT(store.Save(*record), IsOk());
    return *record;
  }

  std::optional<TempDir> temp_;
  std::string dir_;
  std::mt19937_64 gen_{1234};
};

TEST_F(AssociationStoreTest, OpenCreatesPrivateDirectoryAndEmptyStore) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  EXPECT_EQ(store.directory(), dir_);
  EXPECT_EQ(StatOf(dir_).st_mode & 07777, 0700u);
  EXPECT_EQ(StatOf(temp_->File("state")).st_mode & 07777, 0700u);
  EXPECT_NE(access(store.file_path().c_str(), F_OK),
            0);  // No file until a write.
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_THAT(records, IsEmpty());
}

TEST_F(AssociationStoreTest, AllocateBuildsLuidNameAndAddresses) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const absl::Time now = TestEpoch() + absl::Milliseconds(1500);
  for (uint32_t expected_index : {1u, 2u, 3u}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord record,
                                store.Allocate(kOwner, gen_, now));
    // The layout of the C header's IF_LUID union (spec 3.2).
    IF_LUID luid;
    luid.Value = record.luid;
    EXPECT_EQ(luid.Info.IfType, 131u);
    EXPECT_EQ(luid.Info.NetLuidIndex, expected_index);
    EXPECT_EQ(luid.Info.Reserved, 0u);
    EXPECT_EQ(record.luid,
              (uint64_t{131} << 48) | (uint64_t{expected_index} << 24));
    EXPECT_EQ(record.kernel_name, absl::StrCat("cpnat", expected_index));
    EXPECT_EQ(record.provider_identity, kOwner);
    EXPECT_EQ(record.ula_prefix.length, 64);
    EXPECT_EQ(record.ula_prefix.address.bytes()[0], 0xfd);
    EXPECT_TRUE(record.ula_prefix.Contains(record.ipv6_address));
    EXPECT_NE(record.ipv6_address, record.ula_prefix.address);
    EXPECT_FALSE(record.ipv4_address.has_value());
    EXPECT_EQ(record.friendly_name, "");
    EXPECT_EQ(record.last_used, now);
  }
  // Nothing was saved: only the counter moved.
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationTable table,
                              ParseAssociations(ReadText(store.file_path())));
  EXPECT_EQ(table.next_index, 4u);
  EXPECT_THAT(table.records, IsEmpty());
}

TEST_F(AssociationStoreTest, SavedRecordsRoundTripThroughTheFile) {
  AssociationRecord first, second;
  {
    NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                                AssociationStore::Open(dir_));
    first = AllocateAndSave(store, "My VPN \xF0\x9F\x98\x80 100%", TestEpoch());
    NATFWT_ASSERT_OK_AND_ASSIGN(
        second, store.Allocate(kOther, gen_, TestEpoch() + absl::Nanoseconds(7),
                               {.ipv4_pool = DefaultIpv4Pool()}));
    second.friendly_name = "Other";
    NATFWT_ASSERT_OK(store.Save(second));
  }
  ASSERT_TRUE(second.ipv4_address.has_value());
  EXPECT_TRUE(DefaultIpv4Pool().Contains(*second.ipv4_address));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore reopened,
                              AssociationStore::Open(dir_));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              reopened.Records());
  EXPECT_EQ(records, (std::vector<AssociationRecord>{first, second}));
  // The file is the documented text format.
  const std::string text = ReadText(reopened.file_path());
  EXPECT_THAT(text, HasSubstr("\nnext-index 3\n"));
  EXPECT_THAT(text, HasSubstr(" My%20VPN%20\xF0\x9F\x98\x80%20100%25 cpnat1 "));
}

TEST_F(AssociationStoreTest, FileIsReplacedAtomicallyWithMode0600) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  AssociationRecord record = AllocateAndSave(store, "one", TestEpoch());
  const std::string path = store.file_path();
  EXPECT_EQ(StatOf(path).st_mode & 07777, 0600u);
  // A restrictive umask does not change the mode, and neither does a file
  // someone loosened; each write is a new file renamed into place.
  chmod(path.c_str(), 0644);
  const ino_t before = StatOf(path).st_ino;
  WriteText(path + ".tmp", "garbage left by a crash");
  const mode_t old_umask = umask(0377);
  record.friendly_name = "renamed";
  const absl::Status saved = store.Save(record);
  umask(old_umask);
  NATFWT_ASSERT_OK(saved);
  EXPECT_EQ(StatOf(path).st_mode & 07777, 0600u);
  EXPECT_NE(StatOf(path).st_ino, before);
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord found,
                              store.FindByLuid(record.luid, kOwner));
  EXPECT_EQ(found.friendly_name, "renamed");
}

TEST_F(AssociationStoreTest, CounterPersistsAcrossReopenAndIsNeverReused) {
  uint64_t removed_luid = 0;
  {
    NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                                AssociationStore::Open(dir_));
    removed_luid = AllocateAndSave(store, "a", TestEpoch()).luid;
    NATFWT_ASSERT_OK(
        store.Allocate(kOwner, gen_, TestEpoch()).status());  // 2, unsaved.
    NATFWT_ASSERT_OK(store.Remove(removed_luid));
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord record,
                              store.Allocate(kOwner, gen_, TestEpoch()));
  EXPECT_EQ(NetLuidIndex(record.luid), 3u);
  EXPECT_EQ(record.kernel_name, "cpnat3");
  EXPECT_NE(record.luid, removed_luid);
}

TEST_F(AssociationStoreTest, AllocateSkipsKernelNamesUsedByOtherRecords) {
  // An administrator gave record 1 the kernel name "cpnat2".
  AssociationTable table;
  table.next_index = 2;
  table.records.push_back(MakeRecord(1, "admin"));
  table.records[0].kernel_name = "cpnat2";
  ASSERT_EQ(mkdir(temp_->File("state").c_str(), 0700), 0);
  ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0);
  WriteText(dir_ + "/associations.v1", FormatAssociations(table));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord record,
                              store.Allocate(kOwner, gen_, TestEpoch()));
  EXPECT_EQ(NetLuidIndex(record.luid), 3u);
  EXPECT_EQ(record.kernel_name, "cpnat3");
}

TEST_F(AssociationStoreTest, FindByLuidOnlyForTheOwningProvider) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const AssociationRecord record = AllocateAndSave(store, "mine", TestEpoch());
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord found,
                              store.FindByLuid(record.luid, kOwner));
  EXPECT_EQ(found, record);
  EXPECT_THAT(store.FindByLuid(record.luid, kOther),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("belongs to another provider")));
  EXPECT_THAT(
      store.FindByLuid(MakeNetLuid(kIfTypeTunnel, 99), kOwner),
      StatusIs(absl::StatusCode::kNotFound,
               HasSubstr("no association for LUID 0x0083000063000000")));
  // Another provider cannot take the record over by saving it.
  AssociationRecord stolen = record;
  stolen.provider_identity = kOther;
  EXPECT_THAT(store.Save(stolen),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(AssociationStoreTest, SaveEnforcesValidityAllocationAndUniqueness) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord unnamed,
                              store.Allocate(kOwner, gen_, TestEpoch()));
  EXPECT_THAT(store.Save(unnamed),  // The caller must pick a friendly name.
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(store.Save(MakeRecord(5, "never allocated")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("never allocated")));
  const AssociationRecord first = AllocateAndSave(store, "taken", TestEpoch());
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord second,
                              store.Allocate(kOwner, gen_, TestEpoch()));
  second.friendly_name = "taken";
  EXPECT_THAT(store.Save(second), StatusIs(absl::StatusCode::kAlreadyExists));
  second.friendly_name = "free";
  second.kernel_name = first.kernel_name;
  EXPECT_THAT(store.Save(second), StatusIs(absl::StatusCode::kAlreadyExists));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_EQ(records, std::vector<AssociationRecord>{first});
}

TEST_F(AssociationStoreTest, RemoveDeletesOnlyExistingRecords) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const AssociationRecord a = AllocateAndSave(store, "a", TestEpoch());
  const AssociationRecord b = AllocateAndSave(store, "b", TestEpoch());
  NATFWT_ASSERT_OK(store.Remove(a.luid));
  EXPECT_THAT(store.Remove(a.luid), StatusIs(absl::StatusCode::kNotFound));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_EQ(records, std::vector<AssociationRecord>{b});
}

// OS LUIDs as Windows gives Wintun adapters: IfType 53, an index of the
// OS's choosing.
constexpr uint64_t kOsLuidA = (uint64_t{53} << 48) | (uint64_t{0x8001} << 24);
constexpr uint64_t kOsLuidB = (uint64_t{53} << 48) | (uint64_t{0x8002} << 24);

TEST_F(AssociationStoreTest, OsLuidIsKeptAndFindsTheRecordAsItsOwnLuidDoes) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  AssociationRecord record = AllocateAndSave(store, "mine", TestEpoch());
  record.os_luid = kOsLuidA;
  NATFWT_ASSERT_OK(store.Save(record));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore reopened,
                              AssociationStore::Open(dir_));
  for (uint64_t luid : {kOsLuidA, record.luid}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord found,
                                reopened.FindByLuid(luid, kOwner));
    EXPECT_EQ(found, record);
    EXPECT_THAT(reopened.FindByLuid(luid, kOther),
                StatusIs(absl::StatusCode::kNotFound,
                         HasSubstr("belongs to another provider")));
  }
  EXPECT_THAT(reopened.FindByLuid(kOsLuidB, kOwner),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ReadText(reopened.file_path()),
              AllOf(HasSubstr("\nnatfwt-associations 2\n"),
                    HasSubstr(" 0x0083000001000000 0x0035008001000000 mine ")));
  // The admin's Remove takes either LUID too.
  NATFWT_ASSERT_OK(reopened.Remove(kOsLuidA));
  EXPECT_THAT(reopened.FindByLuid(record.luid, kOwner),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(AssociationStoreTest, Version1FileIsReadAndUpgradedByAnOsLuid) {
  // As natfwt wrote it before OS LUIDs were kept.
  const std::string v1 =
      "natfwt-associations 1\nnext-index 2\n"
      "record uid:1000 0x0083000001000000 Old cpnat1 fd12:3456:789a:1::/64 "
      "fd12:3456:789a:1::1234:5678 - 2026-01-01T00:00:01+00:00\nend 1\n";
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  WriteText(store.file_path(), v1);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      AssociationRecord record,
      store.FindByLuid(MakeNetLuid(kIfTypeTunnel, 1), kOwner));
  EXPECT_EQ(record, MakeRecord(1, "Old"));
  // Saved without an OS LUID (Linux), the file stays readable by old builds.
  record.last_used += absl::Hours(1);
  NATFWT_ASSERT_OK(store.Save(record));
  EXPECT_THAT(ReadText(store.file_path()),
              HasSubstr("\nnatfwt-associations 1\n"));
  record.os_luid = kOsLuidA;
  NATFWT_ASSERT_OK(store.Save(record));
  EXPECT_THAT(ReadText(store.file_path()),
              HasSubstr("\nnatfwt-associations 2\n"));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_EQ(records, std::vector<AssociationRecord>{record});
}

TEST_F(AssociationStoreTest, SaveMovesAnOsLuidToTheRecordThatHasItNow) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  AssociationRecord gone = AllocateAndSave(store, "gone", TestEpoch());
  gone.os_luid = kOsLuidA;
  NATFWT_ASSERT_OK(store.Save(gone));
  // The OS gave kOsLuidA to another interface: gone's is out of date.
  AssociationRecord now = AllocateAndSave(store, "now", TestEpoch());
  now.os_luid = kOsLuidA;
  NATFWT_ASSERT_OK(store.Save(now));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord found,
                              store.FindByLuid(kOsLuidA, kOwner));
  EXPECT_EQ(found, now);
  NATFWT_ASSERT_OK_AND_ASSIGN(found, store.FindByLuid(gone.luid, kOwner));
  EXPECT_FALSE(found.os_luid.has_value());
  gone.os_luid.reset();
  EXPECT_EQ(found, gone);
  // A failed Save changes nothing.
  AssociationRecord clash = AllocateAndSave(store, "clash", TestEpoch());
  clash.os_luid = kOsLuidA;
  clash.friendly_name = "now";
  EXPECT_THAT(store.Save(clash), StatusIs(absl::StatusCode::kAlreadyExists));
  NATFWT_ASSERT_OK_AND_ASSIGN(found, store.FindByLuid(kOsLuidA, kOwner));
  EXPECT_EQ(found, now);
}

TEST_F(AssociationStoreTest, OsLuidsAreLookedUpBeforeOwnLuids) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const AssociationRecord a = AllocateAndSave(store, "a", TestEpoch());
  AssociationRecord b = AllocateAndSave(store, "b", TestEpoch());
  b.os_luid = a.luid;  // Another namespace: allowed, if unlikely.
  NATFWT_ASSERT_OK(store.Save(b));
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationRecord found,
                              store.FindByLuid(a.luid, kOwner));
  EXPECT_EQ(found, b);
  NATFWT_ASSERT_OK(store.Remove(a.luid));  // Removes b, the record it names.
  NATFWT_ASSERT_OK_AND_ASSIGN(found, store.FindByLuid(a.luid, kOwner));
  EXPECT_EQ(found, a);
}

TEST_F(AssociationStoreTest, ExpireRemovesRecordsUnusedForTooLong) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const absl::Time now = TestEpoch() + absl::Hours(24 * 365);
  const absl::Duration ninety_days = kDefaultAssociationMaxAge;
  EXPECT_EQ(ninety_days, absl::Hours(24 * 90));
  AllocateAndSave(store, "old", now - ninety_days - absl::Seconds(1));
  const AssociationRecord edge =
      AllocateAndSave(store, "edge", now - ninety_days);
  const AssociationRecord recent =
      AllocateAndSave(store, "recent", now - absl::Hours(1));
  const AssociationRecord future =
      AllocateAndSave(store, "future", now + absl::Hours(1));
  NATFWT_ASSERT_OK_AND_ASSIGN(size_t removed, store.Expire(now, ninety_days));
  EXPECT_EQ(removed, 1u);
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_EQ(records, (std::vector<AssociationRecord>{edge, recent, future}));
  // Nothing more to expire: the file is not rewritten.
  const ino_t inode = StatOf(store.file_path()).st_ino;
  NATFWT_ASSERT_OK_AND_ASSIGN(removed, store.Expire(now, ninety_days));
  EXPECT_EQ(removed, 0u);
  EXPECT_EQ(StatOf(store.file_path()).st_ino, inode);
}

TEST_F(AssociationStoreTest, CorruptFileIsDataLossNamingFileAndLine) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  AllocateAndSave(store, "fine", TestEpoch());
  const std::string path = store.file_path();
  const std::string good = ReadText(path);
  // Line 4 is the record line (after the comment, header and next-index).
  WriteText(path, absl::StrReplaceAll(good, {{" cpnat1 ", " cpnat/1 "}}));
  EXPECT_THAT(AssociationStore::Open(dir_),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(path), HasSubstr("line 4:"))));
  EXPECT_THAT(store.Records(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(store.Allocate(kOwner, gen_, TestEpoch()),
              StatusIs(absl::StatusCode::kDataLoss));
  // Nothing was written over the corrupt file: it stays for inspection.
  EXPECT_EQ(ReadText(path),
            absl::StrReplaceAll(good, {{" cpnat1 ", " cpnat/1 "}}));
  // A file cut short is corrupt too.
  WriteText(path, good.substr(0, good.size() - 4));
  EXPECT_THAT(AssociationStore::Open(dir_),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("line 5:")));
  WriteText(path, "natfwt-associations 9\nnext-index 1\nend 0\n");
  EXPECT_THAT(
      AssociationStore::Open(dir_),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("version 9")));
}

TEST_F(AssociationStoreTest, RefusesSymlinkedFileAndNonDirectories) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const std::string elsewhere = temp_->File("elsewhere");
  WriteText(elsewhere, "natfwt-associations 1\nnext-index 1\nend 0\n");
  ASSERT_EQ(symlink(elsewhere.c_str(), store.file_path().c_str()), 0);
  EXPECT_THAT(AssociationStore::Open(dir_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("symbolic links are refused")));
  EXPECT_THAT(AssociationStore::Open(elsewhere),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is not a directory")));
  EXPECT_THAT(AssociationStore::Open(elsewhere + "/sub"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(AssociationStore::Open(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// Opens `dir` as an unprivileged user: as root, in a child that drops to
// nobody; otherwise in this process. Returns the status code and message.
std::pair<absl::StatusCode, std::string> OpenAsUnprivileged(
    const std::string& dir) {
  if (geteuid() != 0) {
    absl::StatusOr<AssociationStore> store = AssociationStore::Open(dir);
    return {store.status().code(), std::string(store.status().message())};
  }
  int fds[2];
  if (pipe(fds) != 0) return {absl::StatusCode::kInternal, "pipe"};
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    constexpr uid_t kNobody = 65534;
    if (setgroups(0, nullptr) != 0 ||
        setresgid(kNobody, kNobody, kNobody) != 0 ||
        setresuid(kNobody, kNobody, kNobody) != 0) {
      _exit(100);
    }
    absl::StatusOr<AssociationStore> store = AssociationStore::Open(dir);
    const std::string message(store.status().message());
    if (write(fds[1], message.data(), message.size()) < 0) _exit(101);
    _exit(static_cast<int>(store.status().code()));
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  ssize_t got;
  while ((got = read(fds[0], buffer, sizeof(buffer))) > 0)
    message.append(buffer, got);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) >= 100) {
    return {absl::StatusCode::kInternal, "child could not drop privileges"};
  }
  return {static_cast<absl::StatusCode>(WEXITSTATUS(status)), message};
}

TEST_F(AssociationStoreTest, UnreadableDirectoryIsPermissionDenied) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  AllocateAndSave(store, "x", TestEpoch());
  // The parents stay searchable; the store directory itself is closed.
  ASSERT_EQ(chmod(temp_->path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(temp_->File("state").c_str(), 0755), 0);
  ASSERT_EQ(chmod(dir_.c_str(), geteuid() == 0 ? 0700 : 0000), 0);
  const auto [code, message] = OpenAsUnprivileged(dir_);
  chmod(dir_.c_str(), 0700);
  EXPECT_EQ(code, absl::StatusCode::kPermissionDenied) << message;
  EXPECT_THAT(message, AllOf(HasSubstr(dir_), HasSubstr("Permission denied")));
}

// Several processes allocate and save at once; the flock serialises the
// read-modify-write cycles, so no update is lost and no index is reused.
TEST_F(AssociationStoreTest, ConcurrentProcessesNeverLoseUpdates) {
  NATFWT_ASSERT_OK(AssociationStore::Open(dir_).status());
  constexpr int kProcesses = 4;
  constexpr int kPerProcess = 10;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t child = fork();
    if (child == 0) {
      std::mt19937_64 gen(p);
      absl::StatusOr<AssociationStore> store = AssociationStore::Open(dir_);
      if (!store.ok()) _exit(1);
      for (int i = 0; i < kPerProcess; ++i) {
        absl::StatusOr<AssociationRecord> record =
            store->Allocate(absl::StrCat("uid:", p), gen, TestEpoch());
        if (!record.ok()) _exit(2);
        record->friendly_name = absl::StrCat("p", p, "-", i);
        if (!store->Save(*record).ok()) _exit(3);
      }
      _exit(0);
    }
    ASSERT_GT(child, 0);
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<AssociationRecord> records,
                              store.Records());
  EXPECT_EQ(records.size(), static_cast<size_t>(kProcesses * kPerProcess));
  absl::flat_hash_set<uint32_t> indices;
  for (const AssociationRecord& r : records)
    indices.insert(NetLuidIndex(r.luid));
  EXPECT_EQ(indices.size(), records.size());
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationTable table,
                              ParseAssociations(ReadText(store.file_path())));
  EXPECT_EQ(table.next_index,
            static_cast<uint32_t>(kProcesses * kPerProcess + 1));
}

TEST_F(AssociationStoreTest, Ipv4PoolIsSharedAcrossRecords) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  const AllocateOptions tiny = {.ipv4_pool =
                                    *net::IpPrefix::Parse("192.0.2.4/30")};
  absl::flat_hash_set<net::IpAddress> seen;
  for (const char* name : {"a", "b"}) {
    NATFWT_ASSERT_OK_AND_ASSIGN(
        AssociationRecord record,
        store.Allocate(kOwner, gen_, TestEpoch(), tiny));
    ASSERT_TRUE(record.ipv4_address.has_value());
    seen.insert(*record.ipv4_address);
    record.friendly_name = name;
    NATFWT_ASSERT_OK(store.Save(record));
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_THAT(store.Allocate(kOwner, gen_, TestEpoch(), tiny),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(store.Allocate(kOwner, gen_, TestEpoch(),
                             {.ipv4_pool = *net::IpPrefix::Parse("fd00::/64")}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AssociationStoreTest, AllocateRejectsBadIdentity) {
  NATFWT_ASSERT_OK_AND_ASSIGN(AssociationStore store,
                              AssociationStore::Open(dir_));
  EXPECT_THAT(store.Allocate("", gen_, TestEpoch()),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store.Allocate("uid 0", gen_, TestEpoch()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt::cp
