"""Shared pytest setup: the fixed pseudonymization key every test runs with, and what the
signing tests share (a private copy of the basic test bundle, the tampering check).

Bundles with personal-data fields run only with a key that never comes from a bundle
(docs/privacy.md); this is the same test key ctest sets (tests/CMakeLists.txt).
"""
import json
import os
import shutil
from pathlib import Path

import pytest

TEST_PSEUDONYM_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
os.environ["RISKKIT_PSEUDONYM_KEY"] = TEST_PSEUDONYM_KEY

BASIC = Path(__file__).resolve().parents[1] / "data" / "bundles" / "basic"


@pytest.fixture
def basic_bundle(tmp_path: Path) -> Path:
    """A copy of tests/data/bundles/basic in tmp_path, free to sign and change."""
    bundle = tmp_path / "basic"
    shutil.copytree(BASIC, bundle)
    return bundle


def assert_tampering_refused(engine, bundle: Path, digest: str) -> None:
    """After bundle.json of the signed `bundle` changes, reloading it is refused and the
    engine keeps serving the bundle of `digest`."""
    import riskkit

    manifest = json.loads((bundle / "bundle.json").read_text())
    manifest["version"] = "tampered"
    (bundle / "bundle.json").write_text(json.dumps(manifest))
    with pytest.raises(riskkit.RiskkitError, match="changed since it was signed"):
        engine.reload(bundle)
    assert engine.bundle_info["digest"] == digest
