// Copyright 2026 The natfwt Authors.

#include "facade/runtime/runtime_context.h"

#include <utility>

namespace natfwt::cp {

RuntimeContext::RuntimeContext(RuntimeOptions runtime_options)
    : options(std::move(runtime_options)),
      clock(options.clock != nullptr ? *options.clock : RealClock::Get()) {}

absl::StatusOr<AssociationStore*> RuntimeContext::Store() {
  if (store == nullptr) {
    absl::StatusOr<AssociationStore> opened =
        AssociationStore::Open(options.state_dir);
    if (!opened.ok()) return opened.status();
    store = std::make_unique<AssociationStore>(std::move(*opened));
  }
  return store.get();
}

}  // namespace natfwt::cp
