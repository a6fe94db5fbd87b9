// Fuzz target for the expression compiler and VM: any input either compiles or throws
// riskkit::Error; a compiled expression evaluates without crashing to a value of its
// static type (or missing) on every slot vector.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <vector>

#include "riskkit/error.hpp"
#include "riskkit/rules/expression.hpp"

namespace {

using riskkit::Timestamp;
using riskkit::Value;
using riskkit::rules::Type;

const riskkit::rules::SymbolTable &symbols() {
  static const auto table = [] {
    riskkit::rules::SymbolTable t;
    t.add("amount", Type::number, 0);
    t.add("income", Type::number, 1);
    t.add("country", Type::string, 2);
    t.add("channel", Type::string, 3);
    t.add("verified", Type::boolean, 4);
    t.add("applied_at", Type::timestamp, 5);
    t.add("opened_at", Type::timestamp, 6);
    return t;
  }();
  return table;
}

const std::vector<std::vector<Value>> &slot_vectors() {
  static const std::vector<std::vector<Value>> vectors{
      {Value::number(1250.5), Value::number(0), Value::string("DE"), Value::string(""), Value::boolean(true),
       Value::timestamp(Timestamp{1'700'000'000'000'000}), Value::timestamp(Timestamp{-1})},
      {Value::number(std::numeric_limits<double>::infinity()), Value::missing(), Value::missing(),
       Value::string("web\xc3\xa9"), Value::missing(), Value::missing(), Value::number(3)},
      {},
  };
  return vectors;
}

bool matches(const Value &v, Type type) {
  return v.is_missing() || static_cast<int>(v.type()) == static_cast<int>(type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view source(reinterpret_cast<const char *>(data), size);
  try {
    const auto e = riskkit::rules::Expression::compile(source, symbols());
    for (const auto &slots : slot_vectors()) {
      if (!matches(e.evaluate(slots), e.type())) std::abort();
      if (e.test(slots) && e.type() != Type::boolean) std::abort();
    }
  } catch (const riskkit::Error &) {
    // Rejected input: the expected outcome for most mutations.
  }
  return 0;
}
