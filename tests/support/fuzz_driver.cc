// Copyright 2026 The natfwt Authors.
//
// main() for fuzz targets when libFuzzer is not used (gcc builds): replays
// every file named on the command line, or found in a directory named there,
// through LLVMFuzzerTestOneInput. The fuzz suite runs each target over its
// seed corpus this way, so the corpus and the target keep compiling and
// running crash-free in every build.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "fuzz driver: cannot read %s\n",
                 path.string().c_str());
    return 1;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (!entry.is_regular_file()) continue;
        if (RunFile(entry.path()) != 0) return 1;
        ++inputs;
      }
    } else {
      if (RunFile(arg) != 0) return 1;
      ++inputs;
    }
  }
  if (inputs == 0) {
    std::fprintf(stderr,
                 "fuzz driver: no inputs (give files or directories)\n");
    return 1;
  }
  std::printf("fuzz driver: %d inputs replayed without a crash\n", inputs);
  return 0;
}
