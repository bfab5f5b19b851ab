// Copyright 2026 The natfwt Authors.
//
// private_files.h against a real file system: modes, symbolic links, size
// bounds, atomic replacement, exclusive creation and the errno mapping.

#include "platform/sys/private_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::sys {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::natfwt::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

void WriteText(const std::string& path, absl::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The names in `directory`, sorted, without "." and "..".
std::set<std::string> Entries(const std::string& directory) {
  std::set<std::string> names;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) return names;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  closedir(dir);
  return names;
}

mode_t ModeOf(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 ? (info.st_mode & 07777) : 0;
}

// Sets the process umask for the lifetime of the object.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(umask(mask)) {}
  ~ScopedUmask() { umask(previous_); }

 private:
  mode_t previous_;
};

// ErrnoStatus: one row per errno class of the documented mapping.
struct ErrnoCase {
  std::string name;
  int error;
  absl::StatusCode code;
};

// Test names print the case name, not its bytes (the struct has padding).
void PrintTo(const ErrnoCase& c, std::ostream* os) { *os << c.name; }

class ErrnoMapping : public ::testing::TestWithParam<ErrnoCase> {};

TEST_P(ErrnoMapping, MapsTheCodeAndNamesCallPathAndStrerror) {
  const ErrnoCase& c = GetParam();
  EXPECT_THAT(ErrnoStatus(c.error, "open", "/some/file"),
              StatusIs(c.code, AllOf(HasSubstr("open(/some/file): "),
                                     HasSubstr(std::strerror(c.error)))));
}

INSTANTIATE_TEST_SUITE_P(
    Classes, ErrnoMapping,
    ::testing::Values(
        ErrnoCase{"Eacces", EACCES, absl::StatusCode::kPermissionDenied},
        ErrnoCase{"Eperm", EPERM, absl::StatusCode::kPermissionDenied},
        ErrnoCase{"Erofs", EROFS, absl::StatusCode::kPermissionDenied},
        ErrnoCase{"Enoent", ENOENT, absl::StatusCode::kNotFound},
        ErrnoCase{"Enotdir", ENOTDIR, absl::StatusCode::kFailedPrecondition},
        ErrnoCase{"Eloop", ELOOP, absl::StatusCode::kFailedPrecondition},
        ErrnoCase{"Eisdir", EISDIR, absl::StatusCode::kFailedPrecondition},
        ErrnoCase{"Enospc", ENOSPC, absl::StatusCode::kResourceExhausted},
        ErrnoCase{"Edquot", EDQUOT, absl::StatusCode::kResourceExhausted},
        ErrnoCase{"Emfile", EMFILE, absl::StatusCode::kResourceExhausted},
        ErrnoCase{"Enfile", ENFILE, absl::StatusCode::kResourceExhausted},
        ErrnoCase{"Enomem", ENOMEM, absl::StatusCode::kResourceExhausted},
        ErrnoCase{"Eio", EIO, absl::StatusCode::kInternal},
        ErrnoCase{"Ebusy", EBUSY, absl::StatusCode::kInternal}),
    [](const ::testing::TestParamInfo<ErrnoCase>& param_info) {
      return param_info.param.name;
    });

TEST(PrivateFiles, ErrnoStatusExplainsSymbolicLinks) {
  EXPECT_THAT(ErrnoStatus(ELOOP, "open", "p"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("(symbolic links are refused)")));
  EXPECT_THAT(ErrnoStatus(ENOENT, "open", "p").message(),
              ::testing::Not(HasSubstr("symbolic")));
}

TEST(PrivateFiles, CurrentUserIsTheEffectiveUser) {
  EXPECT_EQ(CurrentUserId(), geteuid());
}

TEST(PrivateFiles, StatPathDescribesFilesAndDirectories) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  WriteText(temp.File("f"), "x");
  ASSERT_EQ(chmod(temp.File("f").c_str(), 0640), 0);
  NATFWT_ASSERT_OK_AND_ASSIGN(FileInfo file, StatPath(temp.File("f")));
  EXPECT_TRUE(file.is_regular);
  EXPECT_FALSE(file.is_directory);
  EXPECT_EQ(file.mode, 0640u);
  EXPECT_EQ(file.owner_uid, geteuid());
  NATFWT_ASSERT_OK_AND_ASSIGN(FileInfo dir, StatPath(temp.path()));
  EXPECT_TRUE(dir.is_directory);
  EXPECT_FALSE(dir.is_regular);
  EXPECT_THAT(StatPath(temp.File("missing")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("stat(")));
}

TEST(PrivateFiles, MakesMissingDirectoriesWithMode0700) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string deep = temp.File("a/b/c");
  ASSERT_THAT(MakePrivateDirectories(deep), IsOk());
  EXPECT_EQ(ModeOf(temp.File("a")), 0700u);
  EXPECT_EQ(ModeOf(temp.File("a/b")), 0700u);
  EXPECT_EQ(ModeOf(deep), 0700u);
  // An existing directory is kept as it is, mode included.
  ASSERT_EQ(chmod(deep.c_str(), 0755), 0);
  EXPECT_THAT(MakePrivateDirectories(deep), IsOk());
  EXPECT_EQ(ModeOf(deep), 0755u);
}

TEST(PrivateFiles, RefusesToMakeDirectoriesThroughAFile) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  WriteText(temp.File("plain"), "x");
  EXPECT_THAT(MakePrivateDirectories(temp.File("plain")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("plain exists but is not a directory")));
  EXPECT_THAT(MakePrivateDirectories(temp.File("plain/below")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(MakePrivateDirectories(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ReadText(temp.File("plain")), "x");
}

TEST(PrivateFiles, ReadsAFileOrReportsItMissing) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::optional<std::string> none,
      ReadFileIfExists(temp.File("none"), 100, "a test file"));
  EXPECT_EQ(none, std::nullopt);
  // Larger than one read() buffer, to cover the read loop.
  const std::string big(40000, 'q');
  WriteText(temp.File("big"), big);
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::optional<std::string> read,
      ReadFileIfExists(temp.File("big"), big.size(), "a test file"));
  EXPECT_THAT(read, Optional(big));
}

TEST(PrivateFiles, ReadEnforcesTheSizeBound) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("f");
  WriteText(path, std::string(20000, 'z'));
  EXPECT_THAT(ReadFileIfExists(path, 20000, "a test file"), IsOk());
  EXPECT_THAT(ReadFileIfExists(path, 19999, "a test file"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(path), HasSubstr("larger than 19999"),
                             HasSubstr("not a test file"))));
}

TEST(PrivateFiles, ReadRefusesSymbolicLinksAndNonRegularFiles) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  WriteText(temp.File("target"), "secret");
  ASSERT_EQ(symlink("target", temp.File("link").c_str()), 0);
  EXPECT_THAT(ReadFileIfExists(temp.File("link"), 100, "a test file"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("symbolic links are refused")));
  ASSERT_EQ(mkdir(temp.File("dir").c_str(), 0700), 0);
  EXPECT_THAT(ReadFileIfExists(temp.File("dir"), 100, "a test file"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is not a regular file")));
}

TEST(PrivateFiles, ReadRunsTheCheckOnTheOpenedFileFirst) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("f");
  WriteText(path, std::string(500, 'x'));
  ASSERT_EQ(chmod(path.c_str(), 0604), 0);
  FileInfo seen;
  int calls = 0;
  auto refuse = [&](const FileInfo& info) {
    seen = info;
    ++calls;
    return absl::PermissionDeniedError("policy says no");
  };
  // The check's error wins over the size bound: nothing was read.
  EXPECT_THAT(ReadFileIfExists(path, 10, "a test file", refuse),
              StatusIs(absl::StatusCode::kPermissionDenied, "policy says no"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.mode, 0604u);
  EXPECT_TRUE(seen.is_regular);
  EXPECT_EQ(seen.owner_uid, geteuid());
  auto accept = [](const FileInfo&) { return absl::OkStatus(); };
  NATFWT_ASSERT_OK_AND_ASSIGN(
      std::optional<std::string> read,
      ReadFileIfExists(path, 500, "a test file", accept));
  EXPECT_THAT(read, Optional(std::string(500, 'x')));
}

// Both writers: a new file gets mode 0600 and its contents, whatever the
// umask, and no temp file stays behind.
struct WriterCase {
  std::string name;
  absl::Status (*write)(const std::string& path, absl::string_view contents);
};

void PrintTo(const WriterCase& c, std::ostream* os) { *os << c.name; }

class NewFile : public ::testing::TestWithParam<WriterCase> {};

TEST_P(NewFile, GetsMode0600WhateverTheUmask) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("state");
  {
    ScopedUmask umask_all(0777);
    ASSERT_THAT(GetParam().write(path, "one"), IsOk());
  }
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ReadText(path), "one");
  EXPECT_THAT(Entries(temp.path()), ElementsAre("state"));
}

INSTANTIATE_TEST_SUITE_P(
    Writers, NewFile,
    ::testing::Values(WriterCase{"Replace", &ReplaceFileAtomically},
                      WriterCase{"Create", &CreateFileExclusively}),
    [](const ::testing::TestParamInfo<WriterCase>& param_info) {
      return param_info.param.name;
    });

TEST(PrivateFiles, ReplaceReplacesContentsAndMode) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("state");
  WriteText(path, "old");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_THAT(ReplaceFileAtomically(path, "two"), IsOk());
  EXPECT_EQ(ReadText(path), "two");
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_THAT(Entries(temp.path()), ElementsAre("state"));
}

TEST(PrivateFiles, ReplaceRemovesLeftoversWithoutFollowingThem) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("state");
  WriteText(temp.File("victim"), "do not touch");
  ASSERT_EQ(symlink("victim", (path + ".tmp").c_str()), 0);
  ASSERT_THAT(ReplaceFileAtomically(path, "new"), IsOk());
  EXPECT_EQ(ReadText(path), "new");
  EXPECT_EQ(ReadText(temp.File("victim")), "do not touch");
  EXPECT_THAT(Entries(temp.path()), ElementsAre("state", "victim"));
}

TEST(PrivateFiles, ReplaceFailsCleanlyWhenTheDirectoryIsMissing) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  EXPECT_THAT(ReplaceFileAtomically(temp.File("no/state"), "x"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no/state.tmp")));
  EXPECT_TRUE(Entries(temp.path()).empty());
}

TEST(PrivateFiles, CreateNeverReplacesAndLeavesNoTempFile) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("key");
  WriteText(path, "first");
  EXPECT_THAT(CreateFileExclusively(path, "second"),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr(path), HasSubstr("already exists"))));
  EXPECT_EQ(ReadText(path), "first");
  EXPECT_THAT(Entries(temp.path()), ElementsAre("key"));
  EXPECT_THAT(CreateFileExclusively(temp.File("no/key"), "x"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Entries(temp.path()), ElementsAre("key"));
}

TEST(PrivateFiles, ExactlyOneConcurrentCreatorWins) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  const std::string path = temp.File("key");
  constexpr int kThreads = 8;
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = CreateFileExclusively(path, absl::StrCat("writer ", i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  int winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (results[i].ok()) {
      EXPECT_EQ(winner, -1) << "two winners";
      winner = i;
    } else {
      EXPECT_THAT(results[i], StatusIs(absl::StatusCode::kAlreadyExists));
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_EQ(ReadText(path), absl::StrCat("writer ", winner));
  EXPECT_THAT(Entries(temp.path()), ElementsAre("key"));
}

TEST(PrivateFiles, SyncDirectoryNeedsADirectory) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("private"));
  EXPECT_THAT(SyncDirectory(temp.path()), IsOk());
  EXPECT_THAT(SyncDirectory(temp.File("missing")),
              StatusIs(absl::StatusCode::kNotFound));
  WriteText(temp.File("plain"), "x");
  EXPECT_THAT(
      SyncDirectory(temp.File("plain")),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("open(")));
}

}  // namespace
}  // namespace natfwt::sys
