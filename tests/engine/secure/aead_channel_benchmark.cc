// Copyright 2026 The natfwt Authors.
//
// Micro benchmark of the AEAD data path, single thread: Seal + Open of
// 1200-byte payloads with AES-256-GCM and ChaCha20-Poly1305, plus the cost
// of the per-packet nonce re-initialisation the channel relies on
// (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv)) next to creating a fresh
// context per packet. Run: meson test -C BUILD --benchmark
// aead_channel_benchmark (or the binary directly; an optional argument
// sets the seconds per measurement, default 1).

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/secure/aead_channel.h"

namespace {

using natfwt::secure::AeadAlgorithm;
using natfwt::secure::AeadAlgorithmName;
using natfwt::secure::AeadChannel;
using natfwt::secure::DirectionKeys;

constexpr size_t kPayload = 1200;

DirectionKeys Keys(uint8_t seed) {
  DirectionKeys keys;
  for (auto& byte : keys.key) byte = seed++;
  for (auto& byte : keys.salt) byte = seed++;
  return keys;
}

// Runs `step` in rounds of 1000 until `seconds` passed; returns calls/s.
template <typename Step>
double Rate(double seconds, Step step) {
  const absl::Time start = absl::Now();
  const absl::Duration budget = absl::Seconds(seconds);
  uint64_t calls = 0;
  absl::Duration elapsed;
  do {
    for (int i = 0; i < 1000; ++i) step();
    calls += 1000;
    elapsed = absl::Now() - start;
  } while (elapsed < budget);
  return static_cast<double>(calls) / absl::ToDoubleSeconds(elapsed);
}

void Report(const char* what, AeadAlgorithm algorithm, double per_second) {
  std::printf("%-22s %-18s %10.0f packets/s %7.2f Gb/s (payload)\n", what,
              std::string(AeadAlgorithmName(algorithm)).c_str(), per_second,
              per_second * kPayload * 8 / 1e9);
}

bool BenchmarkChannel(AeadAlgorithm algorithm, double seconds) {
  AeadChannel::Options options;
  options.rekey_after_packets = uint64_t{1} << 40;  // No rekey mid-run.
  auto sender = AeadChannel::Create(algorithm, Keys(1), Keys(2), options);
  auto receiver = AeadChannel::Create(algorithm, Keys(2), Keys(1), options);
  if (!sender.ok() || !receiver.ok()) return false;
  std::vector<uint8_t> plain(kPayload, 0x42);
  std::vector<uint8_t> record(kPayload + AeadChannel::kOverhead);
  std::vector<uint8_t> opened(kPayload);
  bool ok = true;
  Report("seal+open", algorithm, Rate(seconds, [&] {
           (*sender)->Seal(plain, absl::MakeSpan(record));
           ok &= (*receiver)->Open(record, absl::MakeSpan(opened)).ok();
         }));
  Report("seal only", algorithm, Rate(seconds, [&] {
           (*sender)->Seal(plain, absl::MakeSpan(record));
         }));
  return ok && (*receiver)->stats().seal_errors == 0;
}

const EVP_CIPHER* Cipher(AeadAlgorithm algorithm) {
  return algorithm == AeadAlgorithm::kAes256Gcm ? EVP_aes_256_gcm()
                                                : EVP_chacha20_poly1305();
}

// Nanoseconds per EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) on a keyed
// context, and per EVP_CIPHER_CTX_new + keyed init + free.
void BenchmarkInit(AeadAlgorithm algorithm, double seconds) {
  const DirectionKeys keys = Keys(9);
  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(context, Cipher(algorithm), nullptr, keys.key.data(),
                     keys.salt.data());
  const double reinit = Rate(seconds, [&] {
    EVP_EncryptInit_ex(context, nullptr, nullptr, nullptr, keys.salt.data());
  });
  EVP_CIPHER_CTX_free(context);
  const double fresh = Rate(seconds, [&] {
    EVP_CIPHER_CTX* once = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(once, Cipher(algorithm), nullptr, keys.key.data(),
                       keys.salt.data());
    EVP_CIPHER_CTX_free(once);
  });
  std::printf("%-22s %-18s %10.1f ns (nonce re-init) vs %.1f ns (new ctx)\n",
              "per-packet init",
              std::string(AeadAlgorithmName(algorithm)).c_str(), 1e9 / reinit,
              1e9 / fresh);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  std::printf("AeadChannel, %zu-byte payloads, one thread, %s\n", kPayload,
              OpenSSL_version(OPENSSL_VERSION));
  bool ok = true;
  for (AeadAlgorithm algorithm :
       {AeadAlgorithm::kAes256Gcm, AeadAlgorithm::kChaCha20Poly1305}) {
    ok &= BenchmarkChannel(algorithm, seconds);
    BenchmarkInit(algorithm, seconds);
  }
  if (!ok) std::fprintf(stderr, "a record failed to open\n");
  return ok ? 0 : 1;
}
