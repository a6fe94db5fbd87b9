"""Pickling engines and models as their bytes, loaded once per worker process.

An :class:`riskkit.Engine` pickles as the files of its bundle directory, its digest and
its options; a :class:`riskkit.Model` as its model file's bytes and backend. Unpickling
writes the bytes to a per-user cache directory named by their SHA-256 (once per machine)
and loads them once per process: Spark and Dask ship one task closure per partition,
and every partition after the first reuses the loaded object.

The pseudonymization key is never part of a pickle unless the engine was created with
``pickle_key=True``: by default a worker reads RISKKIT_PSEUDONYM_KEY or
RISKKIT_PSEUDONYM_KEY_FILE from its own environment (docs/python-scale.md).

An engine whose bundle has velocity features is not shared from the cache: each
unpickled copy is a new engine with empty velocity state, as the original had when it
was created — state never leaks from one task into another.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from . import _manifest

_LOCK = threading.Lock()
_ENGINES: dict[tuple, Any] = {}
_MODELS: dict[tuple, Any] = {}


def cache_root() -> Path:
    """Where unpickled bundles and models are written: RISKKIT_CACHE_DIR, else a folder
    in the system's temporary directory, private to this user."""
    root = os.environ.get("RISKKIT_CACHE_DIR") or os.path.join(tempfile.gettempdir(), f"riskkit-cache-{os.getuid()}")
    path = Path(root)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _write_once(target: Path, files: dict[str, bytes]) -> None:
    """Writes ``files`` (relative path -> bytes) into ``target`` unless it is complete
    already; a half-written directory from a crashed writer is never used (rename)."""
    if (target / ".complete").exists():
        return
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    for name, data in files.items():
        path = staging / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"riskkit: refusing to unpickle a bundle file outside its directory: {name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (staging / ".complete").write_bytes(b"")
    try:
        os.rename(staging, target)
    except OSError:  # another process won the race: its copy holds the same bytes
        for path in sorted(staging.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        staging.rmdir()


# ---- bundles --------------------------------------------------------------------------------


def bundle_files(directory: str | os.PathLike) -> dict[str, bytes]:
    """Every regular file under a bundle directory (hidden ones aside), by relative path.
    The bundle's digest, checked when the copy loads, covers the ones it references."""
    root = Path(directory)
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def bundle_directory(digest: str, files: dict[str, bytes]) -> Path:
    """A local directory holding ``files``, named by ``digest``; written once per machine."""
    content = hashlib.sha256()
    for name in sorted(files):
        content.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    target = cache_root() / f"bundle-{digest[:16]}-{content.hexdigest()[:16]}"
    _write_once(target, files)
    return target


def load_engine(digest: str, files: dict[str, bytes], options: dict) -> Any:
    """The engine an Engine pickle stands for; one per (digest, options) per process
    unless the bundle has velocity features (then a new engine each time)."""
    from ._engine import Engine

    directory = bundle_directory(digest, files)
    secret = options.get("pseudonym_key")
    key = (digest, options.get("velocity_failure"), options.get("require_signature", False),
           hashlib.sha256(secret.encode()).hexdigest() if secret else None)
    shared = not _manifest.velocity_plan(_manifest.read(directory)).stateful
    if shared:
        with _LOCK:
            engine = _ENGINES.get(key)
        if engine is not None:
            return engine
    engine = Engine(directory, **options)
    loaded = engine.bundle_info["digest"]
    if loaded != digest:
        from ._core import RiskkitError

        raise RiskkitError(f"unpickled bundle {directory}: digest {loaded} differs from the pickled {digest}",
                           "digest_mismatch")
    if shared:
        with _LOCK:
            engine = _ENGINES.setdefault(key, engine)
    return engine


# ---- models ---------------------------------------------------------------------------------


def load_model_bytes(data: bytes, backend: str, suffix: str) -> Any:
    """The model a Model pickle stands for; one per (content, backend) per process."""
    from ._model import load_model

    digest = hashlib.sha256(data).hexdigest()
    key = (digest, backend)
    with _LOCK:
        model = _MODELS.get(key)
    if model is not None:
        return model
    target = cache_root() / f"model-{digest[:32]}"
    _write_once(target, {"model" + suffix: data})
    model = load_model(target / ("model" + suffix), backend=backend)
    with _LOCK:
        return _MODELS.setdefault(key, model)
