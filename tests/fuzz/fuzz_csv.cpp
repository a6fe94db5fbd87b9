// Fuzz target: the CSV reader of the command-line tool.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cli/csv.hpp"
#include "riskkit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
  riskkit::cli::CsvReader reader(in, "fuzz", {.max_field_bytes = 4096, .max_columns = 64});
  std::vector<std::string> cells;
  try {
    while (reader.next(cells)) {
    }
  } catch (const riskkit::Error &) {
  }
  return 0;
}
