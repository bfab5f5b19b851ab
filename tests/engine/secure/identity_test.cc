// Copyright 2026 The natfwt Authors.
//
// Identity: generation, the identity file (create, load, permissions,
// owner, corruption, races) and the fingerprint.

#include "engine/secure/identity.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/secure/openssl_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/prerequisites.h"
#include "tests/support/status_matchers.h"
#include "tests/support/temp_dir.h"

namespace natfwt::secure {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::natfwt::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

void WriteText(const std::string& path, const std::string& text,
               mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ASSERT_EQ(chmod(path.c_str(), mode), 0);
}

mode_t ModeOf(const std::string& path) {
  struct stat info;
  EXPECT_EQ(lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::vector<std::string> Entries(const std::string& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// SHA-256 over i2d_X509's output, computed without X509_digest.
Fingerprint IndependentFingerprint(X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  Fingerprint digest{};
  unsigned int digest_size = 0;
  EXPECT_EQ(EVP_Digest(der, static_cast<size_t>(size), digest.data(),
                       &digest_size, EVP_sha256(), nullptr),
            1);
  OPENSSL_free(der);
  return digest;
}

std::string PemBlock(const std::string& name, const std::string& der) {
  OpensslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio(bio.get(), name.c_str(), "",
                reinterpret_cast<const unsigned char*>(der.data()),
                static_cast<long>(der.size()));
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string CertificateDer(const Identity& identity) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(identity.certificate(), &der);
  std::string text(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return text;
}

// The first PEM block of `pem` (through its END line).
std::string FirstBlock(const std::string& pem) {
  const size_t end = pem.find("-----END");
  return pem.substr(0, pem.find('\n', end) + 1);
}

TEST(Identity, GenerateMakesAP256KeyAndSelfSignedCertificate) {
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity identity, Identity::Generate());
  EXPECT_EQ(EVP_PKEY_is_a(identity.private_key(), "EC"), 1);
  char group[32] = {};
  size_t length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(identity.private_key(), group,
                                    sizeof(group), &length),
            1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(identity.certificate(), identity.private_key()), 1);
  EXPECT_EQ(X509_get_version(identity.certificate()), X509_VERSION_3);
  EXPECT_EQ(identity.fingerprint(),
            IndependentFingerprint(identity.certificate()));
  EXPECT_EQ(identity.node_id(), FormatNodeId(identity.fingerprint()));
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity other, Identity::Generate());
  EXPECT_NE(identity.fingerprint(), other.fingerprint());
}

TEST(Identity, PemRoundTripKeepsTheFingerprint) {
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity identity, Identity::Generate());
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string pem, identity.ToPem());
  EXPECT_THAT(pem, AllOf(HasSubstr("-----BEGIN PRIVATE KEY-----"),
                         HasSubstr("-----BEGIN CERTIFICATE-----")));
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity parsed, Identity::FromPem(pem));
  EXPECT_EQ(parsed.fingerprint(), identity.fingerprint());
  EXPECT_EQ(EVP_PKEY_eq(parsed.private_key(), identity.private_key()), 1);
}

TEST(Identity, CreatesOnFirstUseThenLoadsTheSameIdentity) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  const std::string directory = temp.File("state/nested");
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity created,
                              Identity::LoadOrCreate(directory));
  const std::string path = directory + "/identity.pem";
  EXPECT_EQ(ModeOf(directory), 0700u);
  EXPECT_EQ(ModeOf(temp.File("state")), 0700u);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_THAT(Entries(directory), ::testing::ElementsAre("identity.pem"));
  const std::string contents = ReadText(path);

  NATFWT_ASSERT_OK_AND_ASSIGN(Identity loaded,
                              Identity::LoadOrCreate(directory));
  EXPECT_EQ(loaded.fingerprint(), created.fingerprint());
  EXPECT_EQ(loaded.node_id(), created.node_id());
  EXPECT_EQ(ReadText(path), contents);  // Not rewritten.
}

TEST(Identity, ConcurrentCreatorsAgreeOnOneIdentity) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  const std::string directory = temp.File("race");
  constexpr int kThreads = 6;
  std::vector<absl::StatusOr<Identity>> results(kThreads,
                                                absl::UnknownError("unset"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = Identity::LoadOrCreate(directory); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& result : results) {
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->fingerprint(), results[0]->fingerprint());
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity on_disk,
                              Identity::LoadOrCreate(directory));
  EXPECT_EQ(on_disk.fingerprint(), results[0]->fingerprint());
  EXPECT_THAT(Entries(directory), ::testing::ElementsAre("identity.pem"));
}

TEST(Identity, RefusesAFileOthersCanRead) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  ASSERT_THAT(Identity::LoadOrCreate(temp.path()), IsOk());
  const std::string path = temp.File("identity.pem");
  const std::string before = ReadText(path);
  for (mode_t mode : {0644, 0640, 0604, 0660, 0610}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    EXPECT_THAT(Identity::LoadOrCreate(temp.path()),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         AllOf(HasSubstr(path), HasSubstr("chmod 600"))))
        << std::oct << mode;
    EXPECT_EQ(ReadText(path), before);
  }
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);  // Read-only for the owner: fine.
  EXPECT_THAT(Identity::LoadOrCreate(temp.path()), IsOk());
}

TEST(Identity, RefusesADirectoryOthersCanWrite) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  ASSERT_EQ(chmod(temp.path().c_str(), 0777), 0);
  EXPECT_THAT(
      Identity::LoadOrCreate(temp.path()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("chmod 700")));
  EXPECT_TRUE(Entries(temp.path()).empty());
}

TEST(Identity, RefusesASymbolicLinkAndNonDirectories) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity identity, Identity::Generate());
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string pem, identity.ToPem());
  WriteText(temp.File("elsewhere.pem"), pem);
  ASSERT_EQ(symlink("elsewhere.pem", temp.File("identity.pem").c_str()), 0);
  EXPECT_THAT(Identity::LoadOrCreate(temp.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("symbolic links are refused")));

  WriteText(temp.File("plain"), "x");
  EXPECT_THAT(Identity::LoadOrCreate(temp.File("plain")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a directory")));
  EXPECT_THAT(Identity::LoadOrCreate(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Identity, RefusesAFileOwnedBySomeoneElse) {
  NATFWT_REQUIRE(geteuid() == 0, "needs root to give a file away");
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  ASSERT_THAT(Identity::LoadOrCreate(temp.path()), IsOk());
  ASSERT_EQ(chown(temp.File("identity.pem").c_str(), 65534, 65534), 0);
  EXPECT_THAT(Identity::LoadOrCreate(temp.path()),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("belongs to uid 65534")));
}

// Corrupt identity files: each must be a kDataLoss naming the file and the
// defect, and the file must be left exactly as it was.
struct CorruptCase {
  std::string name;
  // Builds the file from two valid identities' PEM texts.
  std::function<std::string(const Identity& a, const Identity& b)> build;
  std::string defect;
};

// Test names print the case name, not its bytes.
void PrintTo(const CorruptCase& c, std::ostream* os) { *os << c.name; }

std::string PemOf(const Identity& identity) {
  absl::StatusOr<std::string> pem = identity.ToPem();
  return pem.ok() ? *pem : "";
}

std::string KeyBlock(const Identity& identity) {
  return FirstBlock(PemOf(identity));
}

std::string CertificateBlock(const Identity& identity) {
  return PemBlock("CERTIFICATE", CertificateDer(identity));
}

std::vector<CorruptCase> CorruptCases() {
  return {
      {"empty", [](const Identity&, const Identity&) { return ""; },
       "expected a \"PRIVATE KEY\" PEM block"},
      {"garbage",
       [](const Identity&, const Identity&) { return "hello, world\n"; },
       "expected a \"PRIVATE KEY\" PEM block"},
      {"leading_text",
       [](const Identity& a, const Identity&) { return "# mine\n" + PemOf(a); },
       "expected a \"PRIVATE KEY\" PEM block"},
      {"certificate_first",
       [](const Identity& a, const Identity&) {
         return CertificateBlock(a) + KeyBlock(a);
       },
       "expected a \"PRIVATE KEY\" PEM block"},
      {"key_only",
       [](const Identity& a, const Identity&) { return KeyBlock(a); },
       "expected a \"CERTIFICATE\" PEM block"},
      {"truncated",
       [](const Identity& a, const Identity&) {
         const std::string pem = PemOf(a);
         return pem.substr(0, pem.size() - 40);
       },
       "the \"CERTIFICATE\" PEM block is damaged"},
      {"trailing_data",
       [](const Identity& a, const Identity&) { return PemOf(a) + "extra\n"; },
       "unexpected data after the certificate"},
      {"bad_base64_in_key",
       [](const Identity& a, const Identity&) {
         std::string pem = PemOf(a);
         pem[40] = '*';
         return pem;
       },
       "the \"PRIVATE KEY\" PEM block is damaged"},
      {"certificate_of_another_node",
       [](const Identity& a, const Identity& b) {
         return KeyBlock(a) + CertificateBlock(b);
       },
       "the certificate is not for the private key"},
      {"signature_flipped",
       [](const Identity& a, const Identity&) {
         std::string der = CertificateDer(a);
         der.back() ^= 0x01;  // Last byte of the ECDSA signature's s.
         return KeyBlock(a) + PemBlock("CERTIFICATE", der);
       },
       "the certificate signature does not verify"},
      {"certificate_not_der",
       [](const Identity& a, const Identity&) {
         return KeyBlock(a) + PemBlock("CERTIFICATE", "not a certificate");
       },
       "the certificate does not decode"},
      {"key_not_der",
       [](const Identity& a, const Identity&) {
         return PemBlock("PRIVATE KEY", "not a key") + CertificateBlock(a);
       },
       "the private key does not decode"},
      {"ed25519_key",
       [](const Identity& a, const Identity&) {
         OpensslPtr<EVP_PKEY> key(
             EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
         OpensslPtr<BIO> bio(BIO_new(BIO_s_mem()));
         PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), nullptr, nullptr,
                                       0, nullptr, nullptr);
         char* data = nullptr;
         const long size = BIO_get_mem_data(bio.get(), &data);
         return std::string(data, static_cast<size_t>(size)) +
                CertificateBlock(a);
       },
       "the private key is not an EC P-256 key"},
  };
}

class IdentityCorruptFile : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(IdentityCorruptFile, IsDataLossAndLeftUntouched) {
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity a, Identity::Generate());
  NATFWT_ASSERT_OK_AND_ASSIGN(Identity b, Identity::Generate());
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  const std::string path = temp.File("identity.pem");
  const std::string contents = GetParam().build(a, b);
  WriteText(path, contents);
  EXPECT_THAT(Identity::LoadOrCreate(temp.path()),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(path), HasSubstr(GetParam().defect),
                             HasSubstr("left untouched"))));
  EXPECT_EQ(ReadText(path), contents);
  EXPECT_THAT(Entries(temp.path()), ::testing::ElementsAre("identity.pem"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IdentityCorruptFile, ::testing::ValuesIn(CorruptCases()),
    [](const ::testing::TestParamInfo<CorruptCase>& test_info) {
      return test_info.param.name;
    });

TEST(Identity, RefusesAnOversizedFile) {
  NATFWT_ASSERT_OK_AND_ASSIGN(TempDir temp, TempDir::Create("identity"));
  WriteText(temp.File("identity.pem"),
            std::string(Identity::kMaxFileSize + 1, 'A'));
  EXPECT_THAT(
      Identity::LoadOrCreate(temp.path()),
      StatusIs(absl::StatusCode::kDataLoss, HasSubstr("not an identity file")));
}

}  // namespace
}  // namespace natfwt::secure
