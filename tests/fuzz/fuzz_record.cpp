// Fuzz target: a record as JSON, parsed and conformed to a schema with every field type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "riskkit/core/record.hpp"
#include "riskkit/core/schema.hpp"
#include "riskkit/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  static const riskkit::Schema schema([] {
    std::vector<riskkit::FieldSpec> f(4);
    f[0] = {"n", riskkit::FieldType::number, true, riskkit::FieldRole::none, {-999.0}, ""};
    f[1] = {"s", riskkit::FieldType::string, false, riskkit::FieldRole::none, {}, ""};
    f[2] = {"b", riskkit::FieldType::boolean, false, riskkit::FieldRole::none, {}, ""};
    f[3] = {"t", riskkit::FieldType::timestamp, false, riskkit::FieldRole::event_time, {}, ""};
    return f;
  }());
  try {
    const riskkit::Record r = riskkit::Record::from_json(std::string_view(reinterpret_cast<const char *>(data), size));
    std::vector<riskkit::Value> out;
    std::vector<riskkit::FieldIssue> issues;
    schema.conform(r, out, issues);
  } catch (const riskkit::Error &) {
  }
  return 0;
}
