#!/usr/bin/env bash
# riskkit keygen / sign / validate with Ed25519 and HMAC keys, signature checks through the
# environment (RISKKIT_REQUIRE_SIGNATURE, RISKKIT_BUNDLE_PUBLIC_KEY_FILE, RISKKIT_BUNDLE_KEY_FILE).
# Oracle: the `openssl` command verifies bundle.sig's Ed25519 signature over the digest and
# signs with a key made by `openssl genpkey`. Usage: sign_cli.sh RISKKIT_BINARY SOURCE_DIR
set -euo pipefail
for tool in openssl jq xxd; do
  command -v "$tool" >/dev/null || { echo "sign_cli: skipped, $tool is not installed"; exit 77; }
done
riskkit=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "sign_cli: $*" >&2; exit 1; }
# Runs a command that must fail with `message` on stderr.
refused() {
  local message=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then fail "accepted, expected \"$message\": $*"; fi
  grep -qF -- "$message" "$work/err" || fail "expected \"$message\", got: $(cat "$work/err")"
}
cp -r "$src/tests/data/bundles/basic" "$work/bundle"
bundle=$work/bundle

"$riskkit" keygen "$work/private.pem" "$work/public.pem" >/dev/null
[ "$(stat -c %a "$work/private.pem")" = 600 ] || fail "the private key is not mode 0600"
refused "exists; riskkit keygen never overwrites a key" "$riskkit" keygen "$work/private.pem" "$work/other.pem"
"$riskkit" sign "$bundle" --key-file "$work/private.pem" | grep -q "(ed25519)" || fail "not signed with ed25519"

# OpenSSL verifies the signature with the public key keygen wrote.
jq -j .digest "$bundle/bundle.sig" >"$work/digest"
jq -j .signature "$bundle/bundle.sig" | xxd -r -p >"$work/sig.bin"
[ "$(jq -r .algorithm "$bundle/bundle.sig")" = ed25519 ] || fail "algorithm"
openssl pkeyutl -verify -pubin -inkey "$work/public.pem" -rawin -in "$work/digest" -sigfile "$work/sig.bin" >/dev/null \
  || fail "openssl does not verify bundle.sig"

export RISKKIT_REQUIRE_SIGNATURE=1
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/public.pem "$riskkit" validate "$bundle" >/dev/null
# A key pair made by openssl itself signs too; the first public key then refuses it.
openssl genpkey -algorithm ed25519 -out "$work/openssl.pem" 2>/dev/null
openssl pkey -in "$work/openssl.pem" -pubout -out "$work/openssl.pub" 2>/dev/null
"$riskkit" sign "$bundle" --key-file "$work/openssl.pem" >/dev/null
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/openssl.pub "$riskkit" validate "$bundle" >/dev/null
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/public.pem refused "signed by another key" "$riskkit" validate "$bundle"

# HMAC: the signature names its algorithm; a public key refuses it.
head -c 48 /dev/urandom | xxd -p | tr -d '\n' >"$work/hmac.key"
"$riskkit" sign "$bundle" --key-file "$work/hmac.key" | grep -q "(hmac-sha256)" || fail "not signed with hmac"
RISKKIT_BUNDLE_KEY_FILE=$work/hmac.key "$riskkit" validate "$bundle" >/dev/null
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/public.pem refused 'signed with "hmac-sha256" but an Ed25519 public key' \
  "$riskkit" validate "$bundle"

# Tampered after signing; unsigned.
"$riskkit" sign "$bundle" --key-file "$work/private.pem" >/dev/null
sed -i 's/"version": *"[^"]*"/"version": "tampered"/' "$bundle/bundle.json"
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/public.pem refused "changed since it was signed" "$riskkit" validate "$bundle"
rm "$bundle/bundle.sig"
RISKKIT_BUNDLE_PUBLIC_KEY_FILE=$work/public.pem refused "unsigned and a signature is required" "$riskkit" validate "$bundle"
echo "sign_cli: keygen, sign and verification checks passed"
