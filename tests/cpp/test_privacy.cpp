// privacy: normalization rules, masks, key parsing, and HMAC-SHA-256 pseudonyms against
// golden values from Python's hmac/hashlib (hmac.new(key, msg, hashlib.sha256)).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "riskkit/error.hpp"
#include "riskkit/privacy/pii.hpp"
#include "riskkit/privacy/pseudonymizer.hpp"

using namespace riskkit;
using namespace riskkit::privacy;

namespace {

// bytes(range(32)) in Python
const char *kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

}  // namespace

TEST_CASE("normalization per kind") {
  CHECK(normalize(PiiKind::email, "  J.Doe@Example.COM \t") == "j.doe@example.com");
  CHECK(normalize(PiiKind::phone, "138-1234-5678") == "8613812345678");
  CHECK(normalize(PiiKind::phone, "+86 138 1234 5678") == "8613812345678");
  CHECK(normalize(PiiKind::phone, "0086 13812345678") == "8613812345678");
  CHECK(normalize(PiiKind::phone, "010 8888 6666") == "861088886666");  // trunk 0 dropped
  CHECK(normalize(PiiKind::phone, "(555) 010-9999", NormalizeOptions{"1"}) == "15550109999");
  CHECK(normalize(PiiKind::phone, "+44 20 7946 0958") == "442079460958");
  CHECK(normalize(PiiKind::phone, "n/a").empty());
  CHECK(normalize(PiiKind::phone, "   ").empty());
  CHECK(normalize(PiiKind::id_number, " 110105 19900101 123x ") == "11010519900101123X");
  CHECK(normalize(PiiKind::account, "6222-0212 3456 7890") == "6222021234567890");
  CHECK(normalize(PiiKind::device, "  Dev-42 ") == "Dev-42");
  CHECK(normalize(PiiKind::customer_id, "C-001\n") == "C-001");
  CHECK(normalize(PiiKind::ip, " FE80::1 ") == "fe80::1");
}

TEST_CASE("kind names round-trip") {
  for (PiiKind k : {PiiKind::email, PiiKind::phone, PiiKind::id_number, PiiKind::device, PiiKind::customer_id,
                    PiiKind::account, PiiKind::ip})
    CHECK(parse_pii_kind(to_string(k)) == k);
  CHECK_FALSE(parse_pii_kind("emial"));
}

TEST_CASE("masks") {
  CHECK(mask(PiiKind::phone, "138 1234 5678") == "138****5678");
  CHECK(mask(PiiKind::phone, "+44 20 7946 0958") == "442*****0958");
  CHECK(mask(PiiKind::email, "John.Doe@Example.com") == "j***@example.com");
  CHECK(mask(PiiKind::email, "@example.com") == "***@example.com");
  CHECK(mask(PiiKind::id_number, "11010519900101123x") == "110***********123X");
  CHECK(mask(PiiKind::device, "abcdef123456") == "********3456");
  CHECK(mask(PiiKind::device, "abc") == "***");
  CHECK(mask(PiiKind::phone, "").empty());
}

TEST_CASE("pseudonyms equal Python's hmac.new(key, normalized, sha256).hexdigest()") {
  const Pseudonymizer p(PseudonymKey::from_text(kKeyHex));
  CHECK(p.pseudonymize(PiiKind::phone, "138-1234-5678") ==
        "eb705a8f27843f73310219fed453ae3109396be92131051e2841efaff44c97be");
  CHECK(p.pseudonymize(PiiKind::email, " J.Doe@Example.com") ==
        "ac6f8511c1c79e13c5215a381307c3a46e7a5b13cab0bbd7a08dfae3c7f52483");
  CHECK(p.pseudonymize(PiiKind::id_number, "110105199001011234x") ==
        "819eb63a9f6faa47ad42a9534ce6fd20c733db651c19f3a646905a5c65cb2709");
  CHECK(p.pseudonymize(PiiKind::device, "dev-42") ==
        "243b493e021c5b23d82ed7ad797685fe7568cac3671c5ee2995a161294481f18");
  CHECK(p.hmac_hex("") == "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb");
  CHECK(p.pseudonymize(PiiKind::phone, "no digits").empty());
  // A key longer than the SHA-256 block is hashed first (RFC 2104): b"x" * 100.
  std::string long_hex;
  for (int i = 0; i < 100; ++i) long_hex += "78";  // 'x'
  const Pseudonymizer long_key(PseudonymKey::from_text(long_hex));
  CHECK(long_key.hmac_hex("abc") == "c943ae4ba853256e0d741769bad8e0151afddacc654539f0be4776e9fe7b6e89");
}

TEST_CASE("keys: hex, base64, files, environment, and refusals that never echo the key") {
  CHECK(PseudonymKey::from_text("base64:AAECAwQFBgcICQoLDA0ODw==").bytes() == std::string("\0\1\2\3\4\5\6\7\10\11\12\13\14\15\16\17", 16));
  CHECK(PseudonymKey::from_text("  000102030405060708090a0b0c0d0e0f\n").bytes().size() == 16);
  CHECK_THROWS_AS(PseudonymKey::from_text("0001"), Error);                 // too short
  CHECK_THROWS_AS(PseudonymKey::from_text("zz0102030405060708090a0b0c0d0e0f"), Error);
  CHECK_THROWS_AS(PseudonymKey::from_text("base64:!!!!"), Error);
  try {
    PseudonymKey::from_text("secretsecretsecretsecret-not-hex");
    FAIL("expected a refusal");
  } catch (const Error &e) {
    CHECK(std::string(e.what()).find("secret") == std::string::npos);
  }
  const auto path = std::filesystem::temp_directory_path() / "riskkit_test_key.txt";
  std::ofstream(path) << kKeyHex << "\n";
  CHECK(PseudonymKey::from_file(path.string()).bytes().size() == 32);

  const char *saved = std::getenv(kKeyVariable);
  const std::string saved_value = saved ? saved : "";
  unsetenv(kKeyVariable);
  unsetenv(kKeyFileVariable);
  CHECK_FALSE(PseudonymKey::from_environment());
  setenv(kKeyFileVariable, path.string().c_str(), 1);
  CHECK(PseudonymKey::from_environment()->bytes().size() == 32);
  setenv(kKeyVariable, "base64:AAECAwQFBgcICQoLDA0ODw==", 1);  // the variable wins over the file
  CHECK(PseudonymKey::from_environment()->bytes().size() == 16);
  setenv(kKeyVariable, "nope", 1);
  CHECK_THROWS_AS(PseudonymKey::from_environment(), Error);
  unsetenv(kKeyFileVariable);
  if (saved) setenv(kKeyVariable, saved_value.c_str(), 1);
  else unsetenv(kKeyVariable);
  std::filesystem::remove(path);
}

TEST_CASE("derived parts") {
  CHECK(derive(PiiKind::email, PiiPart::domain, " Jane@Mail.Example.COM ") == "mail.example.com");
  CHECK(derive(PiiKind::email, PiiPart::domain, "no-at-sign").empty());
  CHECK(derive(PiiKind::phone, PiiPart::prefix, "138 1234 5678") == "86138");
  CHECK(derive(PiiKind::phone, PiiPart::prefix, "(555) 010-9999", NormalizeOptions{"1"}) == "1555");
  CHECK(derive(PiiKind::phone, PiiPart::prefix, "12").empty());  // "8612": too short
  CHECK(derive(PiiKind::id_number, PiiPart::length, " 11010519900101123x ") == "18");
  CHECK(derive(PiiKind::phone, PiiPart::domain, "138").empty());  // no such part
  CHECK_FALSE(has_part(PiiKind::device, PiiPart::prefix));
  CHECK(parse_pii_part("domain") == PiiPart::domain);
  CHECK_FALSE(parse_pii_part("tld"));
}

TEST_CASE("character classes of the normalized value, counted by hand") {
  // normalized: "jane.roe1987@qq.com" (trimmed, lower-cased)
  CHECK(derive(PiiKind::email, PiiPart::digits, " Jane.Roe1987@QQ.com ") == "4");
  CHECK(derive(PiiKind::email, PiiPart::letters, " Jane.Roe1987@QQ.com ") == "12");
  CHECK(derive(PiiKind::email, PiiPart::symbols, " Jane.Roe1987@QQ.com ") == "3");
  // "张伟_88@x.cn": two three-byte characters count once each as symbols, with '_', '@', '.'
  CHECK(derive(PiiKind::email, PiiPart::symbols, "\xE5\xBC\xA0\xE4\xBC\x9F_88@x.cn") == "5");
  CHECK(derive(PiiKind::email, PiiPart::digits, "\xE5\xBC\xA0\xE4\xBC\x9F_88@x.cn") == "2");
  CHECK(derive(PiiKind::phone, PiiPart::digits, "138 1234 5678") == "13");  // "8613812345678"
  CHECK(is_count(PiiPart::symbols));
  CHECK_FALSE(is_count(PiiPart::domain));
  CHECK(has_part(PiiKind::device, PiiPart::letters));
  CHECK(parse_pii_part("digits") == PiiPart::digits);
}
