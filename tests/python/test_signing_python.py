"""Ed25519 bundle signing from Python (docs/audit.md#signing): riskkit.generate_signing_key,
riskkit.sign_bundle with a PEM private key, Engine(signature_public_key=...).

Oracle: the `openssl` command line verifies the signature riskkit writes and makes the key
pair riskkit verifies with.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import assert_tampering_refused

import riskkit

OPENSSL = shutil.which("openssl")


def _openssl_verifies(public_pem: bytes, message: str, signature_hex: str, work: Path) -> bool:
    (work / "pub.pem").write_bytes(public_pem)
    (work / "msg").write_text(message)
    (work / "sig").write_bytes(bytes.fromhex(signature_hex))
    done = subprocess.run([OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", str(work / "pub.pem"), "-rawin",
                           "-in", str(work / "msg"), "-sigfile", str(work / "sig")], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command is the oracle")
def test_ed25519_signature_verifies_with_openssl_and_loads_with_the_public_key(tmp_path: Path,
                                                                              basic_bundle: Path) -> None:
    private_key, public_key = riskkit.generate_signing_key()
    assert private_key.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key.startswith(b"-----BEGIN PUBLIC KEY-----")
    bundle = basic_bundle
    digest = riskkit.sign_bundle(bundle, private_key)
    sig = json.loads((bundle / "bundle.sig").read_text())
    assert sig["algorithm"] == "ed25519" and sig["digest"] == digest
    assert _openssl_verifies(public_key, digest, sig["signature"], tmp_path)
    _, other_public = riskkit.generate_signing_key()
    assert not _openssl_verifies(other_public, digest, sig["signature"], tmp_path)

    engine = riskkit.Engine(bundle, require_signature=True, signature_public_key=public_key)
    assert engine.bundle_info["digest"] == digest
    with pytest.raises(riskkit.RiskkitError, match="signed by another key") as refused:
        riskkit.Engine(bundle, require_signature=True, signature_public_key=other_public)
    assert refused.value.code == "digest_mismatch"


@pytest.mark.skipif(OPENSSL is None, reason="the openssl command makes the key pair")
def test_openssl_key_pair_signs_and_each_refusal_is_specific(tmp_path: Path, basic_bundle: Path,
                                                             monkeypatch) -> None:
    private_file, public_file = tmp_path / "k.pem", tmp_path / "k.pub"
    subprocess.run([OPENSSL, "genpkey", "-algorithm", "ed25519", "-out", str(private_file)], check=True)
    subprocess.run([OPENSSL, "pkey", "-in", str(private_file), "-pubout", "-out", str(public_file)], check=True)
    public_key = public_file.read_bytes()
    bundle = basic_bundle

    with pytest.raises(riskkit.RiskkitError, match="unsigned and a signature is required"):
        riskkit.Engine(bundle, require_signature=True, signature_public_key=public_key)
    riskkit.sign_bundle(bundle, b"h" * 40)  # HMAC
    with pytest.raises(riskkit.RiskkitError, match='signed with "hmac-sha256" but an Ed25519 public key'):
        riskkit.Engine(bundle, require_signature=True, signature_public_key=public_key, signature_key=b"h" * 40)
    digest = riskkit.sign_bundle(bundle, private_file.read_bytes())
    # The public key from the environment, as a deployment would set it.
    monkeypatch.setenv("RISKKIT_BUNDLE_PUBLIC_KEY_FILE", str(public_file))
    engine = riskkit.Engine(bundle, require_signature=True)
    assert engine.bundle_info["digest"] == digest

    assert_tampering_refused(engine, bundle, digest)
    with pytest.raises(riskkit.RiskkitError, match="a public key only verifies"):
        riskkit.sign_bundle(bundle, public_key)
