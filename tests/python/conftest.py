"""Shared pytest setup: the fixed pseudonymization key every test runs with.

Bundles with personal-data fields run only with a key that never comes from a bundle
(docs/privacy.md); this is the same test key ctest sets (tests/CMakeLists.txt).
"""
import os

TEST_PSEUDONYM_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
os.environ["RISKKIT_PSEUDONYM_KEY"] = TEST_PSEUDONYM_KEY
