// RECORD files of installed distributions (probe/python_record.cpp): CSV with quoted fields.
#include "fuzz_support.hpp"
#include "probe/python.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gpuenv;
  auto text = fuzz::as_text(data, size);
  auto rows = parse_record(text, 1000);
  if (rows)
    for (auto& r : *rows)
      if (r.size < -2 || r.path.size() > text.size()) std::abort();  // sizes are -1, -2 or a parsed number
  return 0;
}
