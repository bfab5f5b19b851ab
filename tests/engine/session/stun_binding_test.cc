// Copyright 2026 The natfwt Authors.
//
// Answers to ICE checks: the RFC 5769 sample request is accepted with its
// credentials and refused without them; the answer's XOR-MAPPED-ADDRESS
// matches RFC 5769's sample responses byte for byte, and its
// MESSAGE-INTEGRITY and FINGERPRINT verify independently (OpenSSL HMAC,
// CRC-32 check value); malformed and non-request messages are refused with
// the documented codes.

#include "engine/session/stun_binding.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::engine::stun {
namespace {

using ::natfwt::testing::StatusIs;
using Bytes = std::vector<uint8_t>;

// RFC 5769 section 2.1: username "evtj:h6vY", password
// "VOkJxbRl1RmTxUk/WvJxBt", software "STUN test client".
const Bytes kSampleRequest = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    'S',  'T',  'U',  'N',  ' ',  't',  'e',  's',  't',  ' ',  'c',  'l',
    'i',  'e',  'n',  't',  0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
    0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};
constexpr char kUfrag[] = "evtj";
constexpr char kPassword[] = "VOkJxbRl1RmTxUk/WvJxBt";

// RFC 5769 sections 2.2 and 2.3: the XOR-MAPPED-ADDRESS attributes for
// 192.0.2.1:32853 and [2001:db8:1234:5678:11:2233:4455:6677]:32853 with the
// sample transaction ID.
const Bytes kMappedV4 = {0x00, 0x20, 0x00, 0x08, 0x00, 0x01,
                         0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
const Bytes kMappedV6 = {0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
                         0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
                         0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9};

net::UdpEndpoint Endpoint(const char* address, uint16_t port) {
  return net::UdpEndpoint{*net::IpAddress::Parse(address), port};
}

absl::StatusOr<Bytes> Answer(const Bytes& request,
                             const net::UdpEndpoint& source,
                             LocalCredentials local = {kUfrag, kPassword}) {
  Bytes out(kMaxAnswerSize);
  absl::StatusOr<size_t> size =
      AnswerBindingRequest(request, source, local, absl::MakeSpan(out));
  if (!size.ok()) return size.status();
  out.resize(*size);
  return out;
}

uint16_t Load16(const Bytes& b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

// Independent check of an answer: header, then MESSAGE-INTEGRITY with
// OpenSSL's HMAC and FINGERPRINT as the last 8 bytes.
void ExpectValidAnswer(const Bytes& answer, const Bytes& request,
                       const Bytes& mapped) {
  ASSERT_GE(answer.size(), 20u + mapped.size() + 24 + 8);
  EXPECT_EQ(Load16(answer, 0), 0x0101);  // Binding success response.
  EXPECT_EQ(Load16(answer, 2), answer.size() - 20);
  EXPECT_TRUE(std::equal(request.begin() + 4, request.begin() + 20,
                         answer.begin() + 4));  // Cookie, transaction ID.
  EXPECT_EQ(Bytes(answer.begin() + 20, answer.begin() + 20 + mapped.size()),
            mapped);
  const size_t integrity = 20 + mapped.size();
  ASSERT_EQ(Load16(answer, integrity), 0x0008);
  Bytes input(answer.begin(), answer.begin() + integrity);
  input[3] = static_cast<uint8_t>(integrity + 24 - 20);  // Length to MI end.
  unsigned char mac[20];
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), kPassword, sizeof(kPassword) - 1, input.data(), input.size(),
       mac, &mac_size);
  EXPECT_TRUE(std::equal(mac, mac + 20, answer.begin() + integrity + 4));
  const size_t fingerprint = answer.size() - 8;
  ASSERT_EQ(Load16(answer, fingerprint), 0x8028);
  const uint32_t crc =
      Crc32(absl::MakeConstSpan(answer.data(), fingerprint)) ^ 0x5354554e;
  const uint32_t carried = (uint32_t{answer[fingerprint + 4]} << 24) |
                           (uint32_t{answer[fingerprint + 5]} << 16) |
                           (uint32_t{answer[fingerprint + 6]} << 8) |
                           answer[fingerprint + 7];
  EXPECT_EQ(carried, crc);
}

TEST(Crc32Test, MatchesCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(Crc32(absl::MakeConstSpan(
                reinterpret_cast<const uint8_t*>(check.data()), check.size())),
            0xCBF43926u);
  EXPECT_EQ(Crc32({}), 0u);
}

TEST(AnswerBindingRequestTest, AnswersRfc5769SampleOverIpv4) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      Bytes answer, Answer(kSampleRequest, Endpoint("192.0.2.1", 32853)));
  ExpectValidAnswer(answer, kSampleRequest, kMappedV4);
  EXPECT_EQ(answer.size(), 20u + 12 + 24 + 8);
}

TEST(AnswerBindingRequestTest, AnswersRfc5769SampleOverIpv6) {
  NATFWT_ASSERT_OK_AND_ASSIGN(
      Bytes answer,
      Answer(kSampleRequest,
             Endpoint("2001:db8:1234:5678:11:2233:4455:6677", 32853)));
  ExpectValidAnswer(answer, kSampleRequest, kMappedV6);
  EXPECT_EQ(answer.size(), kMaxAnswerSize);
}

TEST(AnswerBindingRequestTest, AnswersWithoutFingerprint) {
  Bytes request(kSampleRequest.begin(), kSampleRequest.end() - 8);
  request[3] = static_cast<uint8_t>(request.size() - 20);
  NATFWT_ASSERT_OK_AND_ASSIGN(Bytes answer,
                              Answer(request, Endpoint("192.0.2.1", 32853)));
  ExpectValidAnswer(answer, request, kMappedV4);
}

struct RefusalCase {
  const char* name;
  absl::StatusCode code;
  Bytes (*request)();
  LocalCredentials local = {kUfrag, kPassword};
  // gtest would print the padding bytes otherwise (valgrind flags them).
  friend void PrintTo(const RefusalCase& c, std::ostream* out) {
    *out << c.name;
  }
};

class RefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RefusalTest, IsRefused) {
  EXPECT_THAT(
      Answer(GetParam().request(), Endpoint("192.0.2.1", 1), GetParam().local)
          .status(),
      StatusIs(GetParam().code));
}

Bytes Flipped(size_t at) {
  Bytes b = kSampleRequest;
  b[at] ^= 0x01;
  return b;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusalTest,
    ::testing::Values(
        RefusalCase{"WrongPassword",
                    absl::StatusCode::kUnauthenticated,
                    [] { return kSampleRequest; },
                    {kUfrag, "VOkJxbRl1RmTxUk/WvJxBu"}},
        RefusalCase{"WrongUfrag",
                    absl::StatusCode::kUnauthenticated,
                    [] { return kSampleRequest; },
                    {"h6vY", kPassword}},
        RefusalCase{"UfragPrefixOnly",
                    absl::StatusCode::kUnauthenticated,
                    [] { return kSampleRequest; },
                    {"evt", kPassword}},
        // A changed PRIORITY byte with the FINGERPRINT fixed up fails the
        // integrity check; without the fix-up, the fingerprint check.
        RefusalCase{"TamperedFingerprint", absl::StatusCode::kInvalidArgument,
                    [] { return Flipped(45); }},
        RefusalCase{"TamperedIntegrity", absl::StatusCode::kUnauthenticated,
                    [] {
                      Bytes b = Flipped(45);
                      const uint32_t crc =
                          Crc32(absl::MakeConstSpan(b.data(), b.size() - 8)) ^
                          0x5354554e;
                      for (int i = 0; i < 4; ++i) {
                        b[b.size() - 4 + i] =
                            static_cast<uint8_t>(crc >> (24 - 8 * i));
                      }
                      return b;
                    }},
        RefusalCase{"NoIntegrity", absl::StatusCode::kUnauthenticated,
                    [] {
                      Bytes b(kSampleRequest.begin(),
                              kSampleRequest.begin() + 76);
                      b[3] = static_cast<uint8_t>(b.size() - 20);
                      return b;
                    }},
        RefusalCase{"Indication", absl::StatusCode::kFailedPrecondition,
                    [] {
                      Bytes b(kSampleRequest.begin(),
                              kSampleRequest.begin() + 20);
                      b[1] = 0x11;  // Binding indication, no attributes.
                      b[3] = 0;
                      return b;
                    }},
        RefusalCase{"Response", absl::StatusCode::kFailedPrecondition,
                    [] {
                      Bytes b(kSampleRequest.begin(),
                              kSampleRequest.begin() + 20);
                      b[0] = 0x01;
                      b[3] = 0;
                      return b;
                    }},
        RefusalCase{"Short", absl::StatusCode::kInvalidArgument,
                    [] {
                      return Bytes(kSampleRequest.begin(),
                                   kSampleRequest.begin() + 19);
                    }},
        RefusalCase{"NoCookie", absl::StatusCode::kInvalidArgument,
                    [] { return Flipped(4); }},
        RefusalCase{"TopBits", absl::StatusCode::kInvalidArgument,
                    [] {
                      Bytes b = kSampleRequest;
                      b[0] = 0x40;
                      return b;
                    }},
        RefusalCase{"LengthMismatch", absl::StatusCode::kInvalidArgument,
                    [] {
                      Bytes b = kSampleRequest;
                      b.push_back(0);
                      return b;
                    }},
        RefusalCase{"AttributeOverrun", absl::StatusCode::kInvalidArgument,
                    [] {
                      Bytes b = kSampleRequest;
                      b[22] = 0x7f;  // SOFTWARE length far past the end.
                      return b;
                    }},
        RefusalCase{"Empty", absl::StatusCode::kInvalidArgument,
                    [] { return Bytes(); }}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(AnswerBindingRequestTest, NeedsRoomForTheLargestAnswer) {
  Bytes out(kMaxAnswerSize - 1);
  EXPECT_THAT(AnswerBindingRequest(kSampleRequest, Endpoint("192.0.2.1", 1),
                                   {kUfrag, kPassword}, absl::MakeSpan(out))
                  .status(),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace natfwt::engine::stun
