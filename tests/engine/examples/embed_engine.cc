// Copyright 2026 The natfwt Authors.
//
// Built by installed_test.sh against the installed headers and
// natfwt-engine.pc, as an embedding program would be.

#include <cstdio>

#include "engine/rendezvous/client.h"
#include "engine/session/secure_session.h"

namespace {
class NoSignals : public natfwt::rendezvous::ClientObserver {
 public:
  void OnSignal(const natfwt::rendezvous::Signal&) override {}
};
}  // namespace

int main() {
  auto identity = natfwt::secure::Identity::Generate();
  if (!identity.ok()) return 1;
  // The rendezvous client links and validates its options (no I/O).
  NoSignals observer;
  natfwt::rendezvous::Client::Options options;
  options.server = "rdv.example.net:443";
  options.network = "home";
  auto client =
      natfwt::rendezvous::Client::Create(*identity, options, &observer);
  if (!client.ok()) return 1;
  std::printf("%s\n", identity->node_id().c_str());
  return 0;
}
