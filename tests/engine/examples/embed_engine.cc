// Copyright 2026 The natfwt Authors.
//
// Built by installed_test.sh against the installed headers and
// natfwt-engine.pc, as an embedding program would be.

#include <cstdio>

#include "engine/session/secure_session.h"
int main() {
  auto identity = natfwt::secure::Identity::Generate();
  std::printf("%s\n", identity.ok() ? identity->node_id().c_str() : "error");
  return identity.ok() ? 0 : 1;
}
