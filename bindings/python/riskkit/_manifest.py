"""What the Python layer reads from a bundle's manifest (docs/bundle-format.md) beyond
what the loaded engine reports: required fields and how velocity features are keyed.

The engine has already verified the manifest when these run; they only read it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


def read(directory: str | os.PathLike) -> dict:
    """The parsed bundle.json of ``directory``."""
    return json.loads((Path(directory) / "bundle.json").read_text(encoding="utf-8"))


def required_fields(manifest: dict) -> list[str]:
    """Schema fields declared ``"required": true``, in schema order."""
    return [name for name, spec in manifest.get("schema", {}).items() if spec.get("required") is True]


@dataclass(frozen=True)
class VelocityPlan:
    """How to split a history so that every velocity entity stays in one partition.

    ``entity_sets``: the distinct entity field lists of the velocity features, e.g.
    ``[("device_id",), ("phone",)]``. ``pii``: field -> pii kind (those fields are keyed
    by their normalized value, as the engine keys them by its pseudonym). ``types``:
    field -> schema type. ``global_only``: an entity field the Python layer cannot key
    (a field derived with ``from``) — then the whole history is one partition.
    """

    entity_sets: list[tuple[str, ...]]
    event_time: str | None
    event_id: str | None
    pii: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    global_only: bool = False

    @property
    def stateful(self) -> bool:
        """True when the bundle has velocity features."""
        return bool(self.entity_sets)


def velocity_plan(manifest: dict) -> VelocityPlan:
    """The :class:`VelocityPlan` of a manifest."""
    schema = manifest.get("schema", {})
    sets: list[tuple[str, ...]] = []
    for feature in manifest.get("features", []):
        velocity = feature.get("velocity") if isinstance(feature, dict) else None
        if velocity is None:
            continue
        entity = velocity.get("entity", [])
        key = (entity,) if isinstance(entity, str) else tuple(entity)
        if key not in sets:
            sets.append(key)
    role = {spec.get("role"): name for name, spec in schema.items()}
    fields = {name for key in sets for name in key}
    return VelocityPlan(
        entity_sets=sets, event_time=role.get("event_time"), event_id=role.get("event_id"),
        pii={name: schema[name]["pii"] for name in fields if name in schema and "pii" in schema[name]},
        types={name: schema[name].get("type", "string") for name in fields if name in schema},
        global_only=any(name not in schema or "from" in schema[name] for name in fields))
