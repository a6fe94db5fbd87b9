"""Pseudonyms and masks for personal data, identical to the engine's (docs/privacy.md).

    import riskkit.privacy
    ids = riskkit.privacy.pseudonymize(df["phone"], kind="phone")   # key from RISKKIT_PSEUDONYM_KEY
    riskkit.privacy.mask(["138 1234 5678"], kind="phone")           # ["138****5678"]

A bank pseudonymizes its block lists and join keys with the production key and shares
the pseudonyms, never the raw identifiers. Missing values (None, NaN, pd.NA) and values
with nothing identifying left after normalization come back as None.
"""

from __future__ import annotations

from typing import Any, Iterable

from . import _core

KINDS = ("email", "phone", "id_number", "device", "customer_id", "account", "ip")


def _like_input(values: Any, out: list) -> Any:
    """A Series back for a Series (same index and name), a list otherwise."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional for this module
        return out
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name, dtype=object)
    return out


def pseudonymize(values: Iterable[Any], *, kind: str, key: str | None = None, country_code: str = "86") -> Any:
    """HMAC-SHA-256 pseudonyms (64 lowercase hex digits) of the normalized values.

    ``key`` is the key text (hex, or ``base64:`` + base64); default: the
    RISKKIT_PSEUDONYM_KEY / RISKKIT_PSEUDONYM_KEY_FILE environment variables, as the
    engine. ``country_code`` completes national phone numbers. Raises RiskkitError for an
    unknown kind or a missing or malformed key.
    """
    return _like_input(values, _core.privacy.pseudonymize(list(values), kind, key, country_code))


def normalize(values: Iterable[Any], *, kind: str, country_code: str = "86") -> Any:
    """The normalized forms pseudonyms are computed from (e.g. "8613812345678")."""
    return _like_input(values, _core.privacy.normalize(list(values), kind, country_code))


def mask(values: Iterable[Any], *, kind: str, country_code: str = "86") -> Any:
    """Display forms that hide most of each value: ``138****5678``, ``j***@example.com``."""
    return _like_input(values, _core.privacy.mask(list(values), kind, country_code))


__all__ = ["KINDS", "mask", "normalize", "pseudonymize"]
