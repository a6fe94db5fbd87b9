// core: Value, Record, Schema conforming, timestamps, hashing, JSON limits.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/json_parse.hpp"
#include "core/sha256.hpp"
#include "riskkit/core/record.hpp"
#include "riskkit/core/schema.hpp"
#include "riskkit/core/time.hpp"
#include "riskkit/error.hpp"

using namespace riskkit;

namespace {

Schema loan_schema() {
  std::vector<FieldSpec> f(5);
  f[0] = {"income", FieldType::number, true, FieldRole::none, {-999.0}, ""};
  f[1] = {"channel", FieldType::string, false, FieldRole::none, {}, ""};
  f[2] = {"verified", FieldType::boolean, false, FieldRole::none, {}, ""};
  f[3] = {"applied_at", FieldType::timestamp, false, FieldRole::event_time, {}, ""};
  f[4] = {"age", FieldType::number, false, FieldRole::none, {}, ""};
  return Schema(std::move(f));
}

std::string error_of(auto &&f) {
  try {
    f();
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Value: NaN is missing, to_double follows the documented mapping") {
  CHECK(Value::number(std::nan("")).is_missing());
  CHECK(Value().type() == ValueType::missing);
  CHECK(Value::number(2.5).to_double() == 2.5);
  CHECK(Value::boolean(true).to_double() == 1.0);
  CHECK(Value::timestamp(Timestamp{1'500'000}).to_double() == 1.5);
  CHECK(std::isnan(Value::string("x").to_double()));
  CHECK(std::isinf(Value::number(INFINITY).to_double()));
}

TEST_CASE("timestamps: ISO-8601 parse and format against hand-computed epochs") {
  CHECK(parse_timestamp("1970-01-01")->micros == 0);
  CHECK(parse_timestamp("2026-11-25T10:00:00Z")->micros == 1795600800LL * 1000000);
  CHECK(parse_timestamp("2026-11-25T12:00:00+02:00")->micros == 1795600800LL * 1000000);
  CHECK(parse_timestamp("2026-11-25 10:00:00.25")->micros == 1795600800LL * 1000000 + 250000);
  CHECK(parse_timestamp("2024-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_timestamp("2023-02-29T00:00:00Z").has_value());
  CHECK_FALSE(parse_timestamp("2026-13-01").has_value());
  CHECK_FALSE(parse_timestamp("2026-11-25T25:00:00Z").has_value());
  CHECK_FALSE(parse_timestamp("2026-11-25T10:00:00Zjunk").has_value());
  CHECK_FALSE(parse_timestamp("").has_value());
  CHECK(format_timestamp(Timestamp{1795600800LL * 1000000}) == "2026-11-25T10:00:00Z");
  CHECK(format_timestamp(Timestamp{250000}) == "1970-01-01T00:00:00.250000Z");
}

TEST_CASE("Record::from_json: types, null, nesting refused, errors with line:column") {
  const Record r = Record::from_json(R"({"a": 1, "b": "x", "c": true, "d": null, "a": 2})");
  CHECK(r.size() == 4);
  CHECK(r.find("a")->as_number() == 2);  // last wins
  CHECK(r.find("b")->as_string() == "x");
  CHECK(r.find("c")->as_bool());
  CHECK(r.find("d")->is_missing());
  CHECK(r.find("zzz") == nullptr);
  CHECK(error_of([] { Record::from_json(R"({"a": [1, 2]})"); }).find("field 'a'") != std::string::npos);
  CHECK(error_of([] { Record::from_json("[1]"); }).find("expected a JSON object") != std::string::npos);
  const std::string syntax = error_of([] { Record::from_json("{\n  \"a\": 1,\n  \"b\": }"); });
  CHECK(syntax.find("line 3, column") != std::string::npos);
  CHECK(error_of([] { Record::from_json(std::string(100, '[')); }).find("nesting deeper") != std::string::npos);
}

TEST_CASE("Schema::conform: every row of the documented table") {
  const Schema s = loan_schema();
  std::vector<Value> out;
  std::vector<FieldIssue> issues;

  Record r;
  r.set("income", Value::string("5200")).set("channel", Value::string("app")).set("verified", Value::string("true"));
  r.set("applied_at", Value::string("2026-11-25T10:00:00Z")).set("age", Value::number(41)).set("extra", Value::number(1));
  s.conform(r, out, issues);
  CHECK(out[0].as_number() == 5200);
  CHECK(out[1].as_string() == "app");
  CHECK(out[2].as_bool());
  CHECK(out[3].as_timestamp().micros == 1795600800LL * 1000000);
  CHECK(out[4].as_number() == 41);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].field == "extra");
  CHECK_FALSE(issues[0].fatal);

  SUBCASE("sentinel, NaN, wrong types and unparsable strings become missing with an issue") {
    issues.clear();
    Record bad;
    bad.set("income", Value::number(-999)).set("age", Value::string("n/a")).set("verified", Value::number(1));
    bad.set("applied_at", Value::number(1795600800)).set("channel", Value::number(3));
    s.conform(bad, out, issues);
    CHECK(out[0].is_missing());
    CHECK(out[4].is_missing());
    CHECK(out[2].is_missing());
    CHECK(out[3].as_timestamp().micros == 1795600800LL * 1000000);  // number → epoch seconds
    CHECK(out[1].is_missing());
    REQUIRE(issues.size() == 4);
    CHECK(issues[0].field == "age");
    CHECK(issues[0].message == "expected number, got string \"n/a\"");
    CHECK(issues[3].field == "income");  // required and missing: fatal
    CHECK(issues[3].fatal);
  }
  SUBCASE("1e309 and huge strings do not crash") {
    issues.clear();
    Record big;
    big.set("income", Value::string("1e309")).set("channel", Value::string(std::string(1 << 20, 'x')));
    s.conform(big, out, issues);
    CHECK(out[0].is_missing());
    CHECK(out[1].as_string().size() == (1u << 20));
  }
}

TEST_CASE("Schema refuses duplicate names") {
  std::vector<FieldSpec> f(2);
  f[0].name = "a";
  f[1].name = "a";
  CHECK(error_of([&] { Schema s(f); }).find("declared twice") != std::string::npos);
}

TEST_CASE("SHA-256 golden values (FIPS 180-2)") {
  CHECK(detail::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(detail::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("json_path escapes per RFC 6901") {
  CHECK(detail::json_path("/a", "b/c~d") == "/a/b~1c~0d");
  CHECK(detail::json_path("/rules", std::size_t{3}) == "/rules/3");
}
