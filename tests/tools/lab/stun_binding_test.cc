// Copyright 2026 The natfwt Authors.
//
// The lab's STUN Binding codec against RFC 5769's test vector.

#include "tools/lab/stun_binding.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::lab {
namespace {

using ::natfwt::testing::StatusIs;
using ::testing::ElementsAreArray;

constexpr StunTransactionId kVectorId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                         0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// RFC 5769 section 2.2, "Sample IPv4 Response".
const std::vector<uint8_t> kIpv4Response = {
    0x01, 0x01, 0x00, 0x3c,  // Response type and message length
    0x21, 0x12, 0xa4, 0x42,  // Magic cookie
    0xb7, 0xe7, 0xa7, 0x01,  // }
    0xbc, 0x34, 0xd6, 0x86,  // }  Transaction ID
    0xfa, 0x87, 0xdf, 0xae,  // }
    0x80, 0x22, 0x00, 0x0b,  // SOFTWARE attribute header
    0x74, 0x65, 0x73, 0x74,  // }
    0x20, 0x76, 0x65, 0x63,  // }  UTF-8 server name "test vector"
    0x74, 0x6f, 0x72, 0x20,  // }  (and a padding byte)
    0x00, 0x20, 0x00, 0x08,  // XOR-MAPPED-ADDRESS attribute header
    0x00, 0x01, 0xa1, 0x47,  // Address family (IPv4) and xor'd mapped port
    0xe1, 0x12, 0xa6, 0x43,  // Xor'd mapped IPv4 address
    0x00, 0x08, 0x00, 0x14,  // MESSAGE-INTEGRITY attribute header
    0x2b, 0x91, 0xf5, 0x99,  // }
    0xfd, 0x9e, 0x90, 0xc3,  // }
    0x8c, 0x74, 0x89, 0xf9,  // }  HMAC-SHA1 fingerprint
    0x2a, 0xf9, 0xba, 0x53,  // }
    0xf0, 0x6b, 0xe7, 0xd7,  // }
    0x80, 0x28, 0x00, 0x04,  // FINGERPRINT attribute header
    0xc0, 0x7d, 0x4c, 0x96,  // CRC32 fingerprint
};

TEST(StunBinding, ParsesRfc5769Response) {
  NATFWT_ASSERT_OK_AND_ASSIGN(StunAddress mapped,
                              ParseBindingResponse(kIpv4Response, kVectorId));
  EXPECT_EQ(mapped.ip, "192.0.2.1");
  EXPECT_EQ(mapped.port, 32853);
}

TEST(StunBinding, BuildsRequests) {
  EXPECT_THAT(BuildBindingRequest(kVectorId),
              ElementsAreArray<uint8_t>({0x00, 0x01, 0x00, 0x00,  // Binding, 0
                                         0x21, 0x12, 0xa4, 0x42,  // cookie
                                         0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                         0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae}));
  std::vector<uint8_t> change =
      BuildBindingRequest(kVectorId, kStunChangeIp | kStunChangePort);
  ASSERT_EQ(change.size(), 28u);
  EXPECT_EQ(change[3], 8);  // Length: one 8-byte attribute.
  // CHANGE-REQUEST (0x0003), length 4, flags "change IP" and "change port".
  EXPECT_THAT(std::vector<uint8_t>(change.begin() + 20, change.end()),
              ElementsAreArray<uint8_t>(
                  {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06}));
}

TEST(StunBinding, PrefersXorMappedOverMapped) {
  std::vector<uint8_t> message = {0x01, 0x01, 0x00, 0x18,
                                  0x21, 0x12, 0xa4, 0x42};
  message.insert(message.end(), kVectorId.begin(), kVectorId.end());
  // MAPPED-ADDRESS 10.0.0.1:1 then XOR-MAPPED-ADDRESS 192.0.2.1:32853.
  for (uint8_t b : {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x01,
                    0x0a, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x08,
                    0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43}) {
    message.push_back(b);
  }
  NATFWT_ASSERT_OK_AND_ASSIGN(StunAddress mapped,
                              ParseBindingResponse(message, kVectorId));
  EXPECT_EQ(mapped.ip, "192.0.2.1");
  // Without the XOR attribute the plain one is used.
  message.resize(20 + 12);
  message[3] = 12;
  NATFWT_ASSERT_OK_AND_ASSIGN(mapped, ParseBindingResponse(message, kVectorId));
  EXPECT_EQ(mapped.ip, "10.0.0.1");
  EXPECT_EQ(mapped.port, 1);
}

TEST(StunBinding, RejectsMalformed) {
  auto bad = [](std::vector<uint8_t> message) {
    return ParseBindingResponse(message, kVectorId);
  };
  EXPECT_THAT(bad({}), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<uint8_t> m = kIpv4Response;
  m[0] = 0x00;  // A request, not a response.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = kIpv4Response;
  m[8] ^= 1;  // Another transaction.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = kIpv4Response;
  m.pop_back();  // Truncated.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = kIpv4Response;
  m[23] = 0xff;  // SOFTWARE longer than the message.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = kIpv4Response;
  m[4] = 0;  // Magic cookie.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = kIpv4Response;
  m[37] = 0x02;  // IPv6 family with an IPv4-sized value.
  EXPECT_THAT(bad(m), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StunBinding, TransactionIdsDiffer) {
  EXPECT_NE(NewStunTransactionId(), NewStunTransactionId());
}

}  // namespace
}  // namespace natfwt::lab
