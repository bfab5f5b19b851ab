// Copyright 2026 The natfwt Authors.
//
// The Windows pieces under the association store and the provider identity:
// private_files_windows.cc, store_file_windows.cc (LockFileEx),
// provider_identity_windows.cc (the token's SID), state_dir_windows.cc
// (%ProgramData%\natfwt) and the Win32 error table. Runs under Wine.

// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "facade/identity/provider_identity.h"
#include "facade/identity/store_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/sys/private_files.h"
#include "platform/sys/state_dir.h"
#include "platform/sys/win32_status.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class WindowsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TempDir> temp = testing::TempDir::Create("win");
    ASSERT_THAT(temp.status(), IsOk());
    temp_.emplace(std::move(*temp));
  }
  std::optional<testing::TempDir> temp_;
};

bool IsDirectory(const std::string& path) {
  const DWORD attributes = GetFileAttributesA(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES &&
         (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

TEST_F(WindowsFilesTest, MakesNestedDirectoriesAndKeepsExistingOnes) {
  const std::string nested = temp_->File("a/b\\c");
  ASSERT_THAT(sys::MakePrivateDirectories(nested), IsOk());
  EXPECT_TRUE(IsDirectory(temp_->File("a/b")));
  EXPECT_TRUE(IsDirectory(nested));
  EXPECT_THAT(sys::MakePrivateDirectories(nested), IsOk());
  absl::StatusOr<sys::FileInfo> info = sys::StatPath(nested);
  ASSERT_THAT(info.status(), IsOk());
  EXPECT_TRUE(info->is_directory);
}

TEST_F(WindowsFilesTest, RefusesAFileInTheWay) {
  ASSERT_THAT(sys::ReplaceFileAtomically(temp_->File("file"), "x"), IsOk());
  EXPECT_THAT(sys::MakePrivateDirectories(temp_->File("file/sub")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a directory")));
}

TEST_F(WindowsFilesTest, ReplaceWritesThenReplacesWithoutLeftovers) {
  const std::string path = temp_->File("store");
  EXPECT_EQ(*sys::ReadFileIfExists(path, 100, "a test file"), std::nullopt);
  ASSERT_THAT(sys::ReplaceFileAtomically(path, "first"), IsOk());
  ASSERT_THAT(sys::ReplaceFileAtomically(path, "second\r\n"), IsOk());
  absl::StatusOr<std::optional<std::string>> read =
      sys::ReadFileIfExists(path, 100, "a test file");
  ASSERT_THAT(read.status(), IsOk());
  EXPECT_EQ(read->value_or(""), "second\r\n");  // Bytes, not text mode.
  EXPECT_EQ(GetFileAttributesA((path + ".tmp").c_str()),
            INVALID_FILE_ATTRIBUTES);
}

TEST_F(WindowsFilesTest, ReadRefusesLargeFilesAndDirectories) {
  const std::string path = temp_->File("big");
  ASSERT_THAT(sys::ReplaceFileAtomically(path, std::string(101, 'x')), IsOk());
  EXPECT_THAT(sys::ReadFileIfExists(path, 100, "a test file"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("a test file")));
  EXPECT_THAT(sys::ReadFileIfExists(temp_->path(), 100, "a test file"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(WindowsFilesTest, CreateExclusivelyNeverReplaces) {
  const std::string path = temp_->File("once");
  ASSERT_THAT(sys::CreateFileExclusively(path, "winner"), IsOk());
  EXPECT_THAT(sys::CreateFileExclusively(path, "loser"),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(sys::ReadFileIfExists(path, 100, "x")->value_or(""), "winner");
  EXPECT_THAT(sys::SyncDirectory(temp_->path()), IsOk());
}

// Tries the lock through another handle without waiting.
DWORD TryExclusive(const std::string& path) {
  HANDLE handle =
      CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE,
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                  nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (handle == INVALID_HANDLE_VALUE) return GetLastError();
  OVERLAPPED whole = {};
  DWORD result = ERROR_SUCCESS;
  if (!LockFileEx(handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                  0, MAXDWORD, MAXDWORD, &whole)) {
    result = GetLastError();
  }
  CloseHandle(handle);
  return result;
}

TEST_F(WindowsFilesTest, FileLockHoldsUntilDestroyedAndMoved) {
  using cp::store_file::FileLock;
  const std::string path = temp_->File("lock");
  {
    absl::StatusOr<FileLock> lock =
        FileLock::Acquire(path, FileLock::Mode::kExclusive);
    ASSERT_THAT(lock.status(), IsOk());
    EXPECT_EQ(TryExclusive(path), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
    FileLock moved = std::move(*lock);
    EXPECT_EQ(TryExclusive(path), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
  }
  EXPECT_EQ(TryExclusive(path), static_cast<DWORD>(ERROR_SUCCESS));
  absl::StatusOr<FileLock> shared =
      FileLock::Acquire(path, FileLock::Mode::kShared);
  ASSERT_THAT(shared.status(), IsOk());
  EXPECT_EQ(TryExclusive(path), static_cast<DWORD>(ERROR_LOCK_VIOLATION));
}

TEST(ProviderIdentityWindowsTest, CallerIsTheTokenSid) {
  absl::StatusOr<std::string> identity = cp::CallerAccountIdentity();
  ASSERT_THAT(identity.status(), IsOk());
  EXPECT_THAT(*identity, StartsWith("sid:S-1-"));
  EXPECT_THAT(cp::ValidateProviderIdentity(*identity), IsOk());
  EXPECT_EQ(*cp::ProviderIdentityForCaller(GUID{}), *identity);
  EXPECT_THAT(cp::EffectiveUserId(),
              StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(StateDirWindowsTest, DefaultsToProgramData) {
  const char* original = std::getenv("ProgramData");
  const std::string program_data = original != nullptr ? original : "";
  ASSERT_EQ(_putenv_s("NATFWT_STATE_DIR", ""), 0);
  ASSERT_EQ(_putenv_s("ProgramData", "D:\\Data"), 0);
  EXPECT_EQ(sys::DefaultStateDir(), "D:\\Data\\natfwt");
  ASSERT_EQ(_putenv_s("NATFWT_STATE_DIR", "E:\\state"), 0);
  EXPECT_EQ(sys::DefaultStateDir(), "E:\\state");
  ASSERT_EQ(_putenv_s("NATFWT_STATE_DIR", ""), 0);
  ASSERT_EQ(_putenv_s("ProgramData", program_data.c_str()), 0);
}

struct ErrorCase {
  const char* name;
  DWORD error;
  absl::StatusCode code;
};

TEST(Win32StatusTest, MapsRawWindowsCodes) {
  const ErrorCase cases[] = {
      {"access denied", ERROR_ACCESS_DENIED,
       absl::StatusCode::kPermissionDenied},
      {"file not found", ERROR_FILE_NOT_FOUND, absl::StatusCode::kNotFound},
      {"object exists", ERROR_OBJECT_ALREADY_EXISTS,
       absl::StatusCode::kAlreadyExists},
      {"disk full", ERROR_DISK_FULL, absl::StatusCode::kResourceExhausted},
      {"not supported", ERROR_NOT_SUPPORTED, absl::StatusCode::kUnimplemented},
      {"would block", WSAEWOULDBLOCK, absl::StatusCode::kUnavailable},
      {"connection reset", WSAECONNRESET, absl::StatusCode::kInternal},
  };
  for (const ErrorCase& c : cases) {
    absl::Status status = sys::Win32Status(c.error, "Call", "thing");
    EXPECT_EQ(status.code(), c.code) << c.name;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(absl::StrCat("Call(thing): ")))
        << c.name;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr(absl::StrCat("(Windows error ", c.error, ")")))
        << c.name;
  }
}

TEST(Win32StatusTest, ConvertsUtf8BothWays) {
  absl::StatusOr<std::wstring> wide =
      sys::Utf8ToWide("na\xc3\xafve \xe2\x9c\x93");
  ASSERT_THAT(wide.status(), IsOk());
  EXPECT_EQ(*wide, std::wstring(L"na\u00efve \u2713"));
  EXPECT_EQ(sys::WideToUtf8(*wide), "na\xc3\xafve \xe2\x9c\x93");
  EXPECT_THAT(sys::Utf8ToWide("\xff\xfe"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace natfwt
