// Copyright 2026 The natfwt Authors.
//
// A minimal streaming JSON writer for the CLI's --json output.
//
//   JsonWriter json;
//   json.BeginObject();
//   json.Key("ok"); json.Bool(true);
//   json.EndObject();
//   std::cout << json.str();

#ifndef NATFWT_TOOLS_NATFWT_JSON_WRITER_H_
#define NATFWT_TOOLS_NATFWT_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace natfwt::cli {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(absl::string_view key);
  void String(absl::string_view value);
  void Bool(bool value);
  void Int(int64_t value);
  void Double(double value);
  void Null();
  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  void AppendQuoted(absl::string_view text);

  std::string out_;
  // One entry per open container: whether it already has an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace natfwt::cli

#endif  // NATFWT_TOOLS_NATFWT_JSON_WRITER_H_
