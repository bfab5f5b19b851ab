// Copyright 2026 The natfwt Authors.
//
// The session description codec: base64url (RFC 4648 vectors), vectors
// encoded independently from the documented layout
// (gen_ice_codec_corpus.py), round trips, and rejection of damaged input.

#include "engine/ice/session_description.h"

#include <ostream>
#include <string>
#include <vector>

#include "engine/ice/base64url.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::ice {
namespace {

using ::natfwt::testing::IsOk;
using ::natfwt::testing::StatusIs;
using ::testing::HasSubstr;

TransportAddress Address(const char* ip, uint16_t port) {
  return TransportAddress{net::IpAddress::Parse(ip).value(), port};
}

Fingerprint CountingFingerprint() {
  Fingerprint fingerprint;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    fingerprint[i] = static_cast<uint8_t>(i);
  }
  return fingerprint;
}

Candidate Host(const char* foundation, const char* ip, uint16_t port) {
  return {foundation,
          1,
          CandidateTransport::kUdp,
          2130706431,
          Address(ip, port),
          CandidateType::kHost,
          std::nullopt};
}

std::vector<uint8_t> Bytes(absl::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

// RFC 4648 section 10 test vectors (base64; base64url is identical for
// these), without padding.
TEST(Base64Url, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(Bytes(plain)), encoded);
    NATFWT_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> decoded,
                                Base64UrlDecode(encoded));
    EXPECT_EQ(decoded, Bytes(plain));
  }
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  const std::vector<uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_").value(), bytes);
}

TEST(Base64Url, RejectsNonCanonicalText) {
  for (const char* text :
       {"Zg==", "Zm9v+", "Zm9v/", "Z", "Zh", "Zm9=", "Zm 9v"}) {
    EXPECT_THAT(Base64UrlDecode(text),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
  }
}

// Encoded by gen_ice_codec_corpus.py (Python's zlib CRC-32 and base64).
constexpr char kHostVector[] =
    "natfwt1:"
    "AQEEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0ODxAREhMU"
    "FRYXGBkaGxwdHh8BAAAAfv___wExBMAAAgrDUADOUHqU";
constexpr char kMixedVector[] =
    "natfwt1:"
    "AQEEdSsvORZQUFBQUFBQUFBQUFBQUFBQUFBQUFBQAAECAwQFBgcICQoLDA0ODxAREhMU"
    "FRYXGBkaGxwdHh8GAAAAfv___wExBMAAAgrDUAABAABk____"
    "ATIEywBxBe5IBMAAAgrDUAMAAAD_"
    "__8BMwTGM2QHwAAEywBxBe5IAAEAPIAI_wE0BiABDbgAAAAAAAAAAAAAAAEACQAAAgA8QAL_"
    "ATUG"
    "IAENuAAAAAAAAAAAAAAAAZxAAAIAAG4AHv8EYS9iKwYgAQ24AAAAAAAAAAAAAAACnEEGIAENuA"
    "AA"
    "AAAAAAAAAAAAAZxAWS0jzg";

SessionDescription HostDescription() {
  SessionDescription description;
  description.ufrag = "Zx4k";
  description.pwd = "abcdefghijklmnopqrstuv";
  description.fingerprint = CountingFingerprint();
  description.candidates = {Host("1", "192.0.2.10", 50000)};
  description.end_of_candidates = true;
  return description;
}

SessionDescription MixedDescription() {
  SessionDescription d;
  d.ufrag = "u+/9";
  d.pwd = std::string(22, 'P');
  d.fingerprint = CountingFingerprint();
  d.end_of_candidates = true;
  d.candidates = {
      Host("1", "192.0.2.10", 50000),
      {"2", 1, CandidateTransport::kUdp, 1694498815,
       Address("203.0.113.5", 61000), CandidateType::kServerReflexive,
       Address("192.0.2.10", 50000)},
      {"3", 1, CandidateTransport::kUdp, 16777215,
       Address("198.51.100.7", 49152), CandidateType::kRelay,
       Address("203.0.113.5", 61000)},
      {"4", 1, CandidateTransport::kTcpActive, 1015023871,
       Address("2001:db8::1", 9), CandidateType::kHost, std::nullopt},
      {"5", 1, CandidateTransport::kTcpPassive, 1010828031,
       Address("2001:db8::1", 40000), CandidateType::kHost, std::nullopt},
      {"a/b+", 1, CandidateTransport::kUdp, 1845501695,
       Address("2001:db8::2", 40001), CandidateType::kPeerReflexive,
       Address("2001:db8::1", 40000)}};
  return d;
}

TEST(SessionDescription, ParsesIndependentVectors) {
  NATFWT_ASSERT_OK_AND_ASSIGN(SessionDescription host,
                              ParseSessionDescription(kHostVector));
  EXPECT_EQ(host, HostDescription());
  NATFWT_ASSERT_OK_AND_ASSIGN(SessionDescription mixed,
                              ParseSessionDescription(kMixedVector));
  EXPECT_EQ(mixed, MixedDescription());
}

TEST(SessionDescription, FormatsExactlyTheDocumentedLayout) {
  EXPECT_EQ(HostDescription().Format().value(), kHostVector);
  EXPECT_EQ(MixedDescription().Format().value(), kMixedVector);
}

TEST(SessionDescription, IgnoresSurroundingWhitespaceOnly) {
  EXPECT_THAT(
      ParseSessionDescription(std::string(" \t") + kHostVector + "\r\n"),
      IsOk());
  std::string inner = kHostVector;
  inner.insert(20, " ");
  EXPECT_THAT(ParseSessionDescription(inner),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

struct RoundTripCase {
  std::string name;
  SessionDescription (*make)();
};
void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.name; }

class SessionDescriptionRoundTrip
    : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(SessionDescriptionRoundTrip, ParsesBackToTheSameValue) {
  const SessionDescription original = GetParam().make();
  NATFWT_ASSERT_OK_AND_ASSIGN(std::string text, original.Format());
  EXPECT_TRUE(text.rfind(std::string(kSessionDescriptionPrefix), 0) == 0)
      << text;
  NATFWT_ASSERT_OK_AND_ASSIGN(SessionDescription parsed,
                              ParseSessionDescription(text));
  EXPECT_EQ(parsed, original);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SessionDescriptionRoundTrip,
    ::testing::Values(RoundTripCase{"NoCandidatesYet",
                                    [] {
                                      SessionDescription d = HostDescription();
                                      d.candidates.clear();
                                      d.end_of_candidates = false;
                                      return d;
                                    }},
                      RoundTripCase{"Mixed", MixedDescription},
                      RoundTripCase{"LongestCredentials",
                                    [] {
                                      SessionDescription d = HostDescription();
                                      d.ufrag = std::string(255, 'u');
                                      d.pwd = std::string(255, '/');
                                      return d;
                                    }},
                      RoundTripCase{"SixtyFourCandidates",
                                    [] {
                                      SessionDescription d = HostDescription();
                                      d.candidates.clear();
                                      for (int i = 0; i < 64; ++i) {
                                        Candidate c =
                                            Host("f", "2001:db8::9", 1000 + i);
                                        c.foundation =
                                            std::string(32, 'a' + i % 26);
                                        c.component = 256;
                                        c.priority = 0x7fffffff - i;
                                        d.candidates.push_back(c);
                                      }
                                      return d;
                                    }}),
    [](const auto& test) { return test.param.name; });

TEST(SessionDescription, FormatRefusesInvalidFields) {
  SessionDescription d = HostDescription();
  d.ufrag = "abc";
  EXPECT_THAT(d.Format(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ufrag")));
  d = HostDescription();
  d.candidates.assign(65, Host("1", "192.0.2.1", 1));
  EXPECT_THAT(d.Format(), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("65 candidates")));
  d = HostDescription();
  d.candidates[0].priority = 0;
  EXPECT_THAT(d.Format(), StatusIs(absl::StatusCode::kInvalidArgument,
                                   HasSubstr("candidate 0")));
}

TEST(SessionDescription, FlippingAnyCharacterIsDetected) {
  const std::string good = kMixedVector;
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t i = kSessionDescriptionPrefix.size(); i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = alphabet[(alphabet.find(good[i]) + 1) % alphabet.size()];
    EXPECT_FALSE(ParseSessionDescription(bad).ok()) << "offset " << i;
  }
}

TEST(SessionDescription, EveryTruncationIsRejected) {
  const std::string good = kMixedVector;
  for (size_t length = 0; length < good.size(); ++length) {
    EXPECT_FALSE(ParseSessionDescription(good.substr(0, length)).ok())
        << "length " << length;
  }
}

TEST(SessionDescription, OtherVersionsAreUnimplemented) {
  EXPECT_THAT(
      ParseSessionDescription("natfwt2:AQID"),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("version 2")));
  EXPECT_THAT(
      ParseSessionDescription("natfwt10:AQID"),
      StatusIs(absl::StatusCode::kUnimplemented, HasSubstr("version 10")));
}

struct RejectCase {
  std::string name;
  std::string text;
  std::string why;
};
void PrintTo(const RejectCase& c, std::ostream* os) { *os << c.name; }

class SessionDescriptionRejects : public ::testing::TestWithParam<RejectCase> {
};

TEST_P(SessionDescriptionRejects, WithAClearError) {
  EXPECT_THAT(
      ParseSessionDescription(GetParam().text),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(GetParam().why)));
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, SessionDescriptionRejects,
    ::testing::Values(
        RejectCase{"Empty", "", "not a natfwt"},
        RejectCase{"OtherText", "v=0 o=- 1 1 IN IP4 0.0.0.0", "not a natfwt"},
        RejectCase{"UpperCasePrefix", "NATFWT1:AQID", "not a natfwt"},
        RejectCase{"BadBase64", "natfwt1:AQ*D", "invalid base64url"},
        RejectCase{"Padding", "natfwt1:AQI=", "invalid base64url"},
        RejectCase{"TooShortForCrc", "natfwt1:AQI", "too short"},
        RejectCase{"TooLong", "natfwt1:" + std::string(9000, 'A'), "too long"},
        RejectCase{
            "BadCrc",
            "natfwt1:AQAEW3g0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoL"
            "DA0ODxAREhMUFRYXGBkaGxwdHh8Al6IIWA",
            "checksum"},
        RejectCase{
            "TooManyCandidates",
            "natfwt1:AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoL"
            "DA0ODxAREhMUFRYXGBkaGxwdHh9Blnl5Xg",
            "65 candidates"},
        RejectCase{"TrailingBytes",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAAAAfv___wExBMAAAgrDUAAAOYlwvw",
                   "trailing bytes"},
        RejectCase{"UnknownFlags",
                   "natfwt1:"
                   "AQIEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8AIOTO-Q",
                   "unknown flags"},
        RejectCase{"BinaryVersion2",
                   "natfwt1:"
                   "AgAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8AZne3PA",
                   "binary version"},
        RejectCase{"CountBeyondData",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLD"
                   "A0ODxAREhMUFRYXGBkaGxwdHh8CAAAAfv___wExBMAAAgrDUABvL9Cn",
                   "truncated"},
        RejectCase{"BadFamily",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAAAAfv___wExBcAAAgrDUABJAw1b",
                   "family"},
        RejectCase{"BadType",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BBAAAfv___wExBMAAAgrDUAD2oSoK",
                   "candidate type"},
        RejectCase{"BadTransport",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAAQAfv___wExBMAAAgrDUABRmEFC",
                   "candidate transport"},
        RejectCase{"ShortUfrag",
                   "natfwt1:"
                   "AQADYWJjFmFiY2RlZmdoaWprbG1ub3BxcnN0dXYAAQIDBAUGBwgJCgsMDQ4"
                   "PEBESExQVFhcYGRobHB0eHwCTpDIj",
                   "ufrag"},
        RejectCase{"ShortPwd",
                   "natfwt1:"
                   "AQAEWng0axV4eHh4eHh4eHh4eHh4eHh4eHh4eHgAAQIDBAUGBwgJCgsMDQ4"
                   "PEBESExQVFhcYGRobHB0eHwA55RyM",
                   "pwd"},
        RejectCase{"BadPwdChars",
                   "natfwt1:"
                   "AQAEWng0axZ4eHh4eHh4eHh4eHh4eHh4eHh4eHg9AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8A5EMbUA",
                   "pwd"},
        RejectCase{"PriorityZero",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAAAAAAAAAAExBMAAAgoAAQCF2MFl",
                   "priority"},
        RejectCase{
            "HostWithRelated",
            "natfwt1:"
            "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0ODxAREh"
            "MUFRYXGBkaGxwdHh8BAAAAAAAAAQExBMAAAgoAAQQKAAABAAGdJyCr",
            "no related"},
        RejectCase{"RelayWithoutRelated",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAwAAAAAAAQExBMAAAgoAAQAXzEUh",
                   "related address"},
        RejectCase{"EmptyFoundation",
                   "natfwt1:"
                   "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICQoLDA0"
                   "ODxAREhMUFRYXGBkaGxwdHh8BAAAAAAAAAQAEwAACCgABAHJKtbI",
                   "foundation"},
        RejectCase{
            "FingerprintCut",
            "natfwt1:"
            "AQAEWng0axZhYmNkZWZnaGlqa2xtbm9wcXJzdHV2AAECAwQFBgcICZmiIcQ",
            "fingerprint"}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace natfwt::ice
