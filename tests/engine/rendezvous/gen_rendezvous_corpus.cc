// Copyright 2026 The natfwt Authors.
//
// Writes the seed corpora of the rendezvous fuzz targets (corpus/frame/
// and corpus/envelope/) with freshly generated identities. Not a test;
// rerun after a format change:
//
//   ninja -C build tests/engine/rendezvous/gen_rendezvous_corpus
//   build/tests/engine/rendezvous/gen_rendezvous_corpus CORPUS_DIR
//
// with CORPUS_DIR = tests/engine/rendezvous/corpus.

#include <cstdio>
#include <fstream>
#include <string>

#include "engine/rendezvous/protocol.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/secure/identity.h"

namespace {

namespace rdv = natfwt::rendezvous;
using natfwt::secure::Identity;

constexpr int64_t kSignedAt = 1'800'000'000'000;

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string Sign(const Identity& identity, rdv::EnvelopeFields fields) {
  return *rdv::SignEnvelope(identity, std::move(fields));
}

std::string Signal(const Identity& from, const Identity& to,
                   const std::string& payload) {
  rdv::EnvelopeFields fields;
  fields.kind = rdv::EnvelopeKind::kSignal;
  fields.network = "home";
  fields.to = to.fingerprint();
  fields.signed_at_ms = kSignedAt;
  fields.nonce = 42;
  fields.body = *rdv::EncodeSignalBody("offer", payload);
  return Sign(from, fields);
}

std::string Record(const Identity& identity, const std::string& standby = "") {
  natfwt::rendezvous::NodeRecord record;
  record.transport_ids = {"fd12:3456::1", "100.64.0.7"};
  record.hints = {"nat=port-restricted", "relay-only"};
  record.standby = standby;
  rdv::EnvelopeFields fields;
  fields.kind = rdv::EnvelopeKind::kRecord;
  fields.network = "home";
  fields.signed_at_ms = kSignedAt;
  fields.nonce = 7;
  fields.body = *rdv::EncodeRecordBody(record);
  return Sign(identity, fields);
}

std::string Auth(const Identity& identity) {
  rdv::EnvelopeFields fields;
  fields.kind = rdv::EnvelopeKind::kAuth;
  fields.network = "home";
  fields.signed_at_ms = kSignedAt;
  fields.body = std::string(rdv::kChallengeSize, 'c');
  return Sign(identity, fields);
}

std::string Client(rdv::ClientVerb verb, const std::string& envelope,
                   const std::string& auth = "") {
  rdv::ClientMessage message;
  message.verb = verb;
  message.envelope = envelope;
  message.auth = auth;
  message.token = verb == rdv::ClientVerb::kPing ? "t1" : "";
  return rdv::EncodeClientMessage(message);
}

std::string Server(rdv::ServerVerb verb, const std::string& field) {
  rdv::ServerMessage message;
  message.verb = verb;
  message.envelope = field;
  message.node_id = field;
  message.challenge = std::string(rdv::kChallengeSize, 'h');
  return rdv::EncodeServerMessage(message);
}

void WriteEnvelopes(const std::string& dir, const Identity& alice,
                    const Identity& bob, const Identity& mallory) {
  const std::string signal = Signal(alice, bob, "natfwt1:offer");
  Write(dir + "/signal.bin", signal);
  Write(dir + "/signal_empty_payload.bin", Signal(alice, bob, ""));
  Write(dir + "/signal_max_payload.bin",
        Signal(alice, bob, std::string(rdv::Client::kMaxPayload, 'p')));
  Write(dir + "/record.bin", Record(alice));
  Write(dir + "/record_standby.bin",
        Record(alice, "natfwt1:AQEEWng0 x25519=" + std::string(43, 'A')));
  Write(dir + "/auth.bin", Auth(alice));
  rdv::Envelope decoded = *rdv::DecodeEnvelope(signal);
  decoded.fields.body.back() ^= 1;
  Write(dir + "/signal_tampered.bin",
        rdv::AssembleEnvelope(rdv::EncodeSignedPart(decoded.fields),
                              decoded.certificate_der, decoded.signature));
  rdv::Envelope other = *rdv::DecodeEnvelope(Signal(mallory, bob, "x"));
  Write(dir + "/signal_wrong_certificate.bin",
        rdv::AssembleEnvelope(decoded.signed_part, other.certificate_der,
                              decoded.signature));
  Write(dir + "/signal_truncated.bin", signal.substr(0, signal.size() / 2));
  Write(dir + "/signal_trailing.bin", signal + "!");
  std::string huge_body = signal;
  huge_body[6 + 4 + 64 + 16] = '\x7f';  // The body length's top byte.
  Write(dir + "/huge_body_length.bin", huge_body);
  Write(dir + "/magic_only.bin", "NRV1");
}

void WriteFrames(const std::string& dir, const Identity& alice,
                 const Identity& bob) {
  const std::string signal = Signal(alice, bob, "natfwt1:offer");
  const std::string record = Record(alice);
  // Byte 0 picks the chunk size: 0 -> 1 byte, 255 -> 24736 bytes.
  Write(dir + "/client_lines.txt",
        "\xff" + Client(rdv::ClientVerb::kRegister, record, Auth(alice)) +
            Client(rdv::ClientVerb::kPublish, record) +
            Client(rdv::ClientVerb::kSignal, signal) +
            Client(rdv::ClientVerb::kPing, "") +
            Client(rdv::ClientVerb::kBye, ""));
  Write(dir + "/client_lines_bytewise.txt",
        std::string(1, '\0') + Client(rdv::ClientVerb::kSignal, signal) +
            "PING\n");
  Write(dir + "/server_lines.txt",
        "\x03" + Server(rdv::ServerVerb::kHello, "") +
            Server(rdv::ServerVerb::kWelcome, alice.node_id()) +
            Server(rdv::ServerVerb::kPeer, record) +
            Server(rdv::ServerVerb::kGone, bob.node_id()) +
            Server(rdv::ServerVerb::kSignal, signal) + "PONG t1\n" +
            rdv::ErrorLine(rdv::ErrorCode::kUnknownPeer, "unknown peer x") +
            "ERR maintenance  back  soon\n");
  Write(dir + "/malformed_lines.txt",
        "\x01PING  x\n\nHELLO\nSIGNAL !!!\nREGISTER a b\nBYE now\n"
        "PING\r\nERR Idle x\nERR idle\nWELCOME abc\n");
  Write(dir + "/oversized.txt",
        "\x10SIGNAL " + std::string(rdv::kMaxLineSize + 10, 'A') + "\n");
  Write(dir + "/binary.bin", std::string("\x02\x00\xff\n\x7f\x80\n\n", 8));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const Identity alice = *Identity::Generate();
  const Identity bob = *Identity::Generate();
  const Identity mallory = *Identity::Generate();
  WriteEnvelopes(dir + "/envelope", alice, bob, mallory);
  WriteFrames(dir + "/frame", alice, bob);
  return 0;
}
