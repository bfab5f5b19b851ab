// Copyright 2026 The natfwt Authors.
//
// Fuzz target for the association file parser: any input either fails
// cleanly or parses into a valid table that formats and parses back to
// itself.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "facade/identity/association_format.h"

// libFuzzer's entry point (declared here: no libFuzzer header is used).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<natfwt::cp::AssociationTable> table =
      natfwt::cp::ParseAssociations(text);
  if (!table.ok()) return 0;
  if (!natfwt::cp::ValidateAssociationTable(*table).ok()) {
    std::fprintf(stderr, "parsed table fails validation\n");
    std::abort();
  }
  absl::StatusOr<natfwt::cp::AssociationTable> again =
      natfwt::cp::ParseAssociations(natfwt::cp::FormatAssociations(*table));
  std::sort(table->records.begin(), table->records.end(),
            [](const auto& a, const auto& b) { return a.luid < b.luid; });
  if (!again.ok() || !(*again == *table)) {
    std::fprintf(stderr, "format/parse round trip changed the table\n");
    std::abort();
  }
  return 0;
}
