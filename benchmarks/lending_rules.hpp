// 100 lending-fraud rules over a 100-field application, each written twice: as
// rule-language source (what an analyst ships in a bundle) and as the straight-line C++
// a developer would hand-write over the same riskkit::Value slots, with the same
// missing-value semantics (a comparison with a missing value is false; x / 0 is
// missing). bench_rules.cpp checks both give identical hits on every record before it
// times them. Families: velocity (32), distinct counts (6), affordability (23),
// identity and device (30), time (6) — plus 3 mixed.
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/core/value.hpp"
#include "riskkit/rules/expression.hpp"

namespace lending {

struct FieldSpec {
  const char *name;
  riskkit::rules::Type type;
};

inline constexpr FieldSpec kFields[] = {
    {"apps_device_1h", riskkit::rules::Type::number},
    {"apps_device_24h", riskkit::rules::Type::number},
    {"apps_device_7d", riskkit::rules::Type::number},
    {"apps_device_30d", riskkit::rules::Type::number},
    {"apps_phone_1h", riskkit::rules::Type::number},
    {"apps_phone_24h", riskkit::rules::Type::number},
    {"apps_phone_7d", riskkit::rules::Type::number},
    {"apps_phone_30d", riskkit::rules::Type::number},
    {"apps_email_1h", riskkit::rules::Type::number},
    {"apps_email_24h", riskkit::rules::Type::number},
    {"apps_email_7d", riskkit::rules::Type::number},
    {"apps_email_30d", riskkit::rules::Type::number},
    {"apps_ip_1h", riskkit::rules::Type::number},
    {"apps_ip_24h", riskkit::rules::Type::number},
    {"apps_ip_7d", riskkit::rules::Type::number},
    {"apps_ip_30d", riskkit::rules::Type::number},
    {"apps_card_1h", riskkit::rules::Type::number},
    {"apps_card_24h", riskkit::rules::Type::number},
    {"apps_card_7d", riskkit::rules::Type::number},
    {"apps_card_30d", riskkit::rules::Type::number},
    {"apps_address_1h", riskkit::rules::Type::number},
    {"apps_address_24h", riskkit::rules::Type::number},
    {"apps_address_7d", riskkit::rules::Type::number},
    {"apps_address_30d", riskkit::rules::Type::number},
    {"apps_bank_account_1h", riskkit::rules::Type::number},
    {"apps_bank_account_24h", riskkit::rules::Type::number},
    {"apps_bank_account_7d", riskkit::rules::Type::number},
    {"apps_bank_account_30d", riskkit::rules::Type::number},
    {"apps_employer_1h", riskkit::rules::Type::number},
    {"apps_employer_24h", riskkit::rules::Type::number},
    {"apps_employer_7d", riskkit::rules::Type::number},
    {"apps_employer_30d", riskkit::rules::Type::number},
    {"distinct_devices_per_phone_7d", riskkit::rules::Type::number},
    {"distinct_phones_per_device_7d", riskkit::rules::Type::number},
    {"distinct_emails_per_device_7d", riskkit::rules::Type::number},
    {"distinct_cards_per_device_7d", riskkit::rules::Type::number},
    {"distinct_addresses_per_phone_7d", riskkit::rules::Type::number},
    {"distinct_ips_per_account_7d", riskkit::rules::Type::number},
    {"amount", riskkit::rules::Type::number},
    {"monthly_income", riskkit::rules::Type::number},
    {"monthly_debt", riskkit::rules::Type::number},
    {"rent", riskkit::rules::Type::number},
    {"term_months", riskkit::rules::Type::number},
    {"existing_loans", riskkit::rules::Type::number},
    {"credit_limit_total", riskkit::rules::Type::number},
    {"utilization", riskkit::rules::Type::number},
    {"bureau_score", riskkit::rules::Type::number},
    {"bureau_inquiries_6m", riskkit::rules::Type::number},
    {"delinquencies_24m", riskkit::rules::Type::number},
    {"age", riskkit::rules::Type::number},
    {"employment_months", riskkit::rules::Type::number},
    {"residence_months", riskkit::rules::Type::number},
    {"dependents", riskkit::rules::Type::number},
    {"savings", riskkit::rules::Type::number},
    {"email_age_days", riskkit::rules::Type::number},
    {"phone_age_days", riskkit::rules::Type::number},
    {"account_age_days", riskkit::rules::Type::number},
    {"ip_distance_km", riskkit::rules::Type::number},
    {"device_age_days", riskkit::rules::Type::number},
    {"name_match_score", riskkit::rules::Type::number},
    {"address_match_score", riskkit::rules::Type::number},
    {"id_doc_age_days", riskkit::rules::Type::number},
    {"loan_count_30d", riskkit::rules::Type::number},
    {"chargebacks_90d", riskkit::rules::Type::number},
    {"country", riskkit::rules::Type::string},
    {"ip_country", riskkit::rules::Type::string},
    {"phone_country", riskkit::rules::Type::string},
    {"channel", riskkit::rules::Type::string},
    {"product", riskkit::rules::Type::string},
    {"email_domain", riskkit::rules::Type::string},
    {"device_os", riskkit::rules::Type::string},
    {"browser", riskkit::rules::Type::string},
    {"employment_type", riskkit::rules::Type::string},
    {"housing", riskkit::rules::Type::string},
    {"id_doc_type", riskkit::rules::Type::string},
    {"bank_code", riskkit::rules::Type::string},
    {"utm_source", riskkit::rules::Type::string},
    {"device_model", riskkit::rules::Type::string},
    {"postcode_prefix", riskkit::rules::Type::string},
    {"phone_verified", riskkit::rules::Type::boolean},
    {"email_verified", riskkit::rules::Type::boolean},
    {"is_vpn", riskkit::rules::Type::boolean},
    {"is_tor", riskkit::rules::Type::boolean},
    {"is_emulator", riskkit::rules::Type::boolean},
    {"on_watchlist", riskkit::rules::Type::boolean},
    {"pep", riskkit::rules::Type::boolean},
    {"sanctions_hit", riskkit::rules::Type::boolean},
    {"id_verified", riskkit::rules::Type::boolean},
    {"selfie_match", riskkit::rules::Type::boolean},
    {"device_rooted", riskkit::rules::Type::boolean},
    {"address_verified", riskkit::rules::Type::boolean},
    {"bank_verified", riskkit::rules::Type::boolean},
    {"is_proxy", riskkit::rules::Type::boolean},
    {"disposable_email", riskkit::rules::Type::boolean},
    {"applied_at", riskkit::rules::Type::timestamp},
    {"account_opened_at", riskkit::rules::Type::timestamp},
    {"phone_first_seen", riskkit::rules::Type::timestamp},
    {"email_first_seen", riskkit::rules::Type::timestamp},
    {"last_application_at", riskkit::rules::Type::timestamp},
    {"requested_limit", riskkit::rules::Type::number},
};
inline constexpr std::size_t kFieldCount = sizeof kFields / sizeof kFields[0];

inline const char *const kRules[] = {
    "apps_device_1h >= 2 and not phone_verified",
    "apps_device_24h >= 5",
    "apps_device_7d >= 8",
    "apps_device_30d >= 15",
    "apps_phone_1h >= 2 and not phone_verified",
    "apps_phone_24h >= 5",
    "apps_phone_7d >= 8",
    "apps_phone_30d >= 15",
    "apps_email_1h >= 2 and not phone_verified",
    "apps_email_24h >= 5",
    "apps_email_7d >= 8",
    "apps_email_30d >= 15",
    "apps_ip_1h >= 2 and not phone_verified",
    "apps_ip_24h >= 5",
    "apps_ip_7d >= 8",
    "apps_ip_30d >= 15",
    "apps_card_1h >= 3",
    "apps_card_24h >= 5",
    "apps_card_7d >= 8",
    "apps_card_30d >= 15",
    "apps_address_1h >= 3",
    "apps_address_24h >= 5",
    "apps_address_7d >= 8",
    "apps_address_30d >= 15",
    "apps_bank_account_1h >= 3",
    "apps_bank_account_24h >= 5",
    "apps_bank_account_7d >= 8",
    "apps_bank_account_30d >= 15",
    "apps_employer_1h >= 3",
    "apps_employer_24h >= 5",
    "apps_employer_7d >= 8",
    "apps_employer_30d >= 15",
    "distinct_devices_per_phone_7d > 3",
    "distinct_phones_per_device_7d > 3",
    "distinct_emails_per_device_7d > 4",
    "distinct_cards_per_device_7d > 3",
    "distinct_addresses_per_phone_7d > 3",
    "distinct_ips_per_account_7d > 10",
    "monthly_debt / monthly_income > 0.6",
    "amount / monthly_income > 10",
    "(monthly_debt + rent) / monthly_income > 0.8",
    "amount > 5000 and account_age_days < 30",
    "is_missing(monthly_income) and amount > 1000",
    "age < 18",
    "age > 75 and amount > 2000",
    "bureau_score < 450",
    "bureau_inquiries_6m >= 6",
    "delinquencies_24m >= 2 and bureau_score < 600",
    "utilization > 0.9",
    "employment_months < 3 and employment_type in [\"contract\", \"temporary\"]",
    "residence_months < 2",
    "existing_loans >= 5",
    "amount / term_months > monthly_income * 0.5",
    "savings < 0",
    "credit_limit_total > 20 * monthly_income",
    "requested_limit > max(3 * monthly_income, 10000)",
    "dependents >= 5 and monthly_income < 2000",
    "loan_count_30d >= 3",
    "chargebacks_90d >= 1",
    "coalesce(monthly_income, 0) < 800 and amount > 1500",
    "housing == \"none\" and residence_months < 6",
    "email_age_days < 7",
    "phone_age_days < 14",
    "ip_distance_km > 500",
    "device_age_days < 1",
    "name_match_score < 0.6",
    "address_match_score between 0 and 0.4",
    "country != ip_country",
    "phone_country != country",
    "email_domain in [\"mailinator.com\", \"guerrillamail.com\", \"10minutemail.com\", \"trashmail.com\"]",
    "ends_with(lower(email_domain), \".ru\")",
    "not id_verified and amount > 3000",
    "not selfie_match and id_doc_type == \"passport\"",
    "is_vpn or is_tor or is_proxy",
    "is_emulator or device_rooted",
    "on_watchlist or sanctions_hit or pep",
    "disposable_email",
    "not email_verified and not phone_verified",
    "id_doc_age_days > 3650",
    "not address_verified and product == \"card\"",
    "not bank_verified and amount > 2000",
    "country in [\"KP\", \"IR\", \"SY\", \"CU\"]",
    "ip_country in [\"NG\", \"RU\"] and channel == \"web\"",
    "device_os == \"linux\" and channel == \"app\"",
    "browser in [\"headless\", \"phantomjs\"]",
    "starts_with(device_model, \"generic\")",
    "utm_source in [\"affiliate_x\", \"unknown\"] and amount > 1000",
    "bank_code in [\"9999\", \"0000\"]",
    "postcode_prefix in [\"E1\", \"N15\"] and apps_address_30d >= 3",
    "product == \"bnpl\" and amount > 3000",
    "channel == \"partner\" and bureau_score < 520",
    "hour_of_day(applied_at) between 1 and 5",
    "days_between(account_opened_at, applied_at) < 30 and amount > 2000",
    "days_between(phone_first_seen, applied_at) < 3",
    "days_between(last_application_at, applied_at) < 1",
    "day_of_week(applied_at) >= 6 and amount > 4000",
    "days_between(email_first_seen, applied_at) < 2",
    "apps_device_24h >= 3 and device_age_days < 2",
    "is_missing(bureau_score) and amount > 2500",
    "if(product == \"card\", requested_limit > 15000, amount > 20000)",
};
inline constexpr std::size_t kRuleCount = sizeof kRules / sizeof kRules[0];
static_assert(kFieldCount == 100 && kRuleCount == 100);

// ---- the hand-written version -------------------------------------------------------
namespace hand {

using riskkit::Value;
using riskkit::ValueType;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

inline double N(const Value &v) { return v.type() == ValueType::number ? v.as_number() : kNaN; }
inline const std::string *S(const Value &v) { return v.type() == ValueType::string ? &v.as_string() : nullptr; }
inline bool T(const Value &v) { return v.type() == ValueType::boolean && v.as_bool(); }
/// Timestamps as microseconds; missing is a NaN double so comparisons fail like numbers.
inline double TS(const Value &v) {
  return v.type() == ValueType::timestamp ? static_cast<double>(v.as_timestamp().micros) : kNaN;
}
inline double div(double a, double b) { return b == 0 ? kNaN : a / b; }
inline double max2(double a, double b) { return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b); }
inline double coalesce(double a, double b) { return std::isnan(a) ? b : a; }
inline bool between(double x, double lo, double hi) { return x >= lo && x <= hi; }
inline bool eq(const std::string *s, std::string_view t) { return s && *s == t; }
inline bool ne(const std::string *s, const std::string *t) { return s && t && *s != *t; }
inline bool in(const std::string *s, std::initializer_list<std::string_view> list) {
  if (!s) return false;
  for (std::string_view x : list)
    if (*s == x) return true;
  return false;
}
inline bool starts(const std::string *s, std::string_view p) { return s && std::string_view(*s).starts_with(p); }
inline bool ends_lower(const std::string *s, std::string_view p) {
  if (!s || s->size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = (*s)[s->size() - p.size() + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != p[i]) return false;
  }
  return true;
}
inline double hour(double t) {
  if (std::isnan(t)) return kNaN;
  const auto us = static_cast<std::int64_t>(t);
  const std::int64_t day = us >= 0 ? us / kMicrosPerDay : (us - kMicrosPerDay + 1) / kMicrosPerDay;
  return static_cast<double>((us - day * kMicrosPerDay) / 3'600'000'000);
}
inline double weekday(double t) {
  if (std::isnan(t)) return kNaN;
  const auto us = static_cast<std::int64_t>(t);
  const std::int64_t day = us >= 0 ? us / kMicrosPerDay : (us - kMicrosPerDay + 1) / kMicrosPerDay;
  return static_cast<double>(((day % 7) + 7 + 3) % 7 + 1);
}
inline double days(double t, double u) { return (u - t) / static_cast<double>(kMicrosPerDay); }

/// Appends the index of every rule that fires, in rule order: one `if` per rule.
inline void evaluate(const std::vector<Value> &s, std::vector<std::size_t> &hits) {
  if (N(s[0]) >= 2 && !T(s[79])) hits.push_back(0);
  if (N(s[1]) >= 5) hits.push_back(1);
  if (N(s[2]) >= 8) hits.push_back(2);
  if (N(s[3]) >= 15) hits.push_back(3);
  if (N(s[4]) >= 2 && !T(s[79])) hits.push_back(4);
  if (N(s[5]) >= 5) hits.push_back(5);
  if (N(s[6]) >= 8) hits.push_back(6);
  if (N(s[7]) >= 15) hits.push_back(7);
  if (N(s[8]) >= 2 && !T(s[79])) hits.push_back(8);
  if (N(s[9]) >= 5) hits.push_back(9);
  if (N(s[10]) >= 8) hits.push_back(10);
  if (N(s[11]) >= 15) hits.push_back(11);
  if (N(s[12]) >= 2 && !T(s[79])) hits.push_back(12);
  if (N(s[13]) >= 5) hits.push_back(13);
  if (N(s[14]) >= 8) hits.push_back(14);
  if (N(s[15]) >= 15) hits.push_back(15);
  if (N(s[16]) >= 3) hits.push_back(16);
  if (N(s[17]) >= 5) hits.push_back(17);
  if (N(s[18]) >= 8) hits.push_back(18);
  if (N(s[19]) >= 15) hits.push_back(19);
  if (N(s[20]) >= 3) hits.push_back(20);
  if (N(s[21]) >= 5) hits.push_back(21);
  if (N(s[22]) >= 8) hits.push_back(22);
  if (N(s[23]) >= 15) hits.push_back(23);
  if (N(s[24]) >= 3) hits.push_back(24);
  if (N(s[25]) >= 5) hits.push_back(25);
  if (N(s[26]) >= 8) hits.push_back(26);
  if (N(s[27]) >= 15) hits.push_back(27);
  if (N(s[28]) >= 3) hits.push_back(28);
  if (N(s[29]) >= 5) hits.push_back(29);
  if (N(s[30]) >= 8) hits.push_back(30);
  if (N(s[31]) >= 15) hits.push_back(31);
  if (N(s[32]) > 3) hits.push_back(32);
  if (N(s[33]) > 3) hits.push_back(33);
  if (N(s[34]) > 4) hits.push_back(34);
  if (N(s[35]) > 3) hits.push_back(35);
  if (N(s[36]) > 3) hits.push_back(36);
  if (N(s[37]) > 10) hits.push_back(37);
  if (div(N(s[40]), N(s[39])) > 0.6) hits.push_back(38);
  if (div(N(s[38]), N(s[39])) > 10) hits.push_back(39);
  if (div(N(s[40]) + N(s[41]), N(s[39])) > 0.8) hits.push_back(40);
  if (N(s[38]) > 5000 && N(s[56]) < 30) hits.push_back(41);
  if (std::isnan(N(s[39])) && N(s[38]) > 1000) hits.push_back(42);
  if (N(s[49]) < 18) hits.push_back(43);
  if (N(s[49]) > 75 && N(s[38]) > 2000) hits.push_back(44);
  if (N(s[46]) < 450) hits.push_back(45);
  if (N(s[47]) >= 6) hits.push_back(46);
  if (N(s[48]) >= 2 && N(s[46]) < 600) hits.push_back(47);
  if (N(s[45]) > 0.9) hits.push_back(48);
  if (N(s[50]) < 3 && in(S(s[72]), {"contract", "temporary"})) hits.push_back(49);
  if (N(s[51]) < 2) hits.push_back(50);
  if (N(s[43]) >= 5) hits.push_back(51);
  if (div(N(s[38]), N(s[42])) > N(s[39]) * 0.5) hits.push_back(52);
  if (N(s[53]) < 0) hits.push_back(53);
  if (N(s[44]) > 20 * N(s[39])) hits.push_back(54);
  if (N(s[99]) > max2(3 * N(s[39]), 10000)) hits.push_back(55);
  if (N(s[52]) >= 5 && N(s[39]) < 2000) hits.push_back(56);
  if (N(s[62]) >= 3) hits.push_back(57);
  if (N(s[63]) >= 1) hits.push_back(58);
  if (coalesce(N(s[39]), 0) < 800 && N(s[38]) > 1500) hits.push_back(59);
  if (eq(S(s[73]), "none") && N(s[51]) < 6) hits.push_back(60);
  if (N(s[54]) < 7) hits.push_back(61);
  if (N(s[55]) < 14) hits.push_back(62);
  if (N(s[57]) > 500) hits.push_back(63);
  if (N(s[58]) < 1) hits.push_back(64);
  if (N(s[59]) < 0.6) hits.push_back(65);
  if (between(N(s[60]), 0, 0.4)) hits.push_back(66);
  if (ne(S(s[64]), S(s[65]))) hits.push_back(67);
  if (ne(S(s[66]), S(s[64]))) hits.push_back(68);
  if (in(S(s[69]), {"mailinator.com", "guerrillamail.com", "10minutemail.com", "trashmail.com"})) hits.push_back(69);
  if (ends_lower(S(s[69]), ".ru")) hits.push_back(70);
  if (!T(s[87]) && N(s[38]) > 3000) hits.push_back(71);
  if (!T(s[88]) && eq(S(s[74]), "passport")) hits.push_back(72);
  if (T(s[81]) || T(s[82]) || T(s[92])) hits.push_back(73);
  if (T(s[83]) || T(s[89])) hits.push_back(74);
  if (T(s[84]) || T(s[86]) || T(s[85])) hits.push_back(75);
  if (T(s[93])) hits.push_back(76);
  if (!T(s[80]) && !T(s[79])) hits.push_back(77);
  if (N(s[61]) > 3650) hits.push_back(78);
  if (!T(s[90]) && eq(S(s[68]), "card")) hits.push_back(79);
  if (!T(s[91]) && N(s[38]) > 2000) hits.push_back(80);
  if (in(S(s[64]), {"KP", "IR", "SY", "CU"})) hits.push_back(81);
  if (in(S(s[65]), {"NG", "RU"}) && eq(S(s[67]), "web")) hits.push_back(82);
  if (eq(S(s[70]), "linux") && eq(S(s[67]), "app")) hits.push_back(83);
  if (in(S(s[71]), {"headless", "phantomjs"})) hits.push_back(84);
  if (starts(S(s[77]), "generic")) hits.push_back(85);
  if (in(S(s[76]), {"affiliate_x", "unknown"}) && N(s[38]) > 1000) hits.push_back(86);
  if (in(S(s[75]), {"9999", "0000"})) hits.push_back(87);
  if (in(S(s[78]), {"E1", "N15"}) && N(s[23]) >= 3) hits.push_back(88);
  if (eq(S(s[68]), "bnpl") && N(s[38]) > 3000) hits.push_back(89);
  if (eq(S(s[67]), "partner") && N(s[46]) < 520) hits.push_back(90);
  if (between(hour(TS(s[94])), 1, 5)) hits.push_back(91);
  if (days(TS(s[95]), TS(s[94])) < 30 && N(s[38]) > 2000) hits.push_back(92);
  if (days(TS(s[96]), TS(s[94])) < 3) hits.push_back(93);
  if (days(TS(s[98]), TS(s[94])) < 1) hits.push_back(94);
  if (weekday(TS(s[94])) >= 6 && N(s[38]) > 4000) hits.push_back(95);
  if (days(TS(s[97]), TS(s[94])) < 2) hits.push_back(96);
  if (N(s[1]) >= 3 && N(s[58]) < 2) hits.push_back(97);
  if (std::isnan(N(s[46])) && N(s[38]) > 2500) hits.push_back(98);
  if ((eq(S(s[68]), "card") ? N(s[99]) > 15000 : N(s[38]) > 20000)) hits.push_back(99);
}

}  // namespace hand
}  // namespace lending
