"""Type stubs for riskkit._core, the compiled half of the riskkit package."""

import os
from types import ModuleType
from typing import Any, Iterable, Literal, TypedDict

import numpy as np
import numpy.typing as npt

def version() -> str:
    """The version of the loaded riskkit library, "MAJOR.MINOR.PATCH"."""

class RiskkitError(Exception):
    """A riskkit failure; ``code`` is its stable name (e.g. "invalid_bundle")."""

    code: str
    def __init__(self, message: str, code: str = "internal") -> None: ...

class Model:
    """A loaded, immutable model. X must be a C-contiguous float32 array here."""

    def __init__(self, path: str | os.PathLike[str], *, backend: Literal["native", "xgboost", "xgboost_c_api"] = "native") -> None: ...
    @property
    def kind(self) -> str: ...
    @property
    def num_features(self) -> int: ...
    @property
    def num_outputs(self) -> int: ...
    @property
    def feature_names(self) -> list[str]: ...
    def predict(self, X: npt.NDArray[np.float32], *, output: Literal["value", "margin"] = "value", missing: float = ..., nthread: int = 0) -> npt.NDArray[np.float64]: ...
    def contributions(self, X: npt.NDArray[np.float32], *, missing: float = ..., nthread: int = 0) -> npt.NDArray[np.float64]: ...

class RuleHitDict(TypedDict):
    id: str
    action: str
    code: str
    text: str
    mode: Literal["active", "shadow"]
    score: float
    tags: list[str]

class ReasonDict(TypedDict):
    code: str
    text: str
    source: str
    weight: float

class IssueDict(TypedDict):
    field: str
    message: str

class BundleDict(TypedDict):
    name: str
    version: str
    digest: str

class BundleInfo(TypedDict):
    name: str
    version: str
    stage: str
    digest: str
    directory: str
    fields: list[str]
    event_id_field: str | None
    feature_names: list[str]
    model_names: list[str]

class Decision:
    """Everything the engine concluded about one record (read-only)."""

    @property
    def outcome(self) -> Literal["approve", "review", "decline"]: ...
    @property
    def grade(self) -> str: ...
    @property
    def scores(self) -> dict[str, float]: ...
    @property
    def rule_hits(self) -> list[RuleHitDict]: ...
    @property
    def rule_score(self) -> float: ...
    @property
    def outputs(self) -> dict[str, float | str | bool | None | list[float | str | bool | None]]: ...
    @property
    def reasons(self) -> list[ReasonDict]: ...
    @property
    def issues(self) -> list[IssueDict]: ...
    @property
    def event_id(self) -> str: ...
    @property
    def bundle(self) -> BundleDict: ...
    @property
    def latency_us(self) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...

class Engine:
    """A decision engine serving one bundle at a time."""

    def __init__(self, bundle_dir: str | os.PathLike[str], *, pseudonym_key: str | None = None, velocity_failure: Literal["fail_open", "fail_closed"] = "fail_open") -> None: ...
    def decide(self, record: dict[str, Any]) -> Decision: ...
    def decide_many(self, records: Iterable[dict[str, Any]], *, nthread: int = 0, errors: Literal["raise", "return"] = "raise") -> list[Decision | RiskkitError]: ...
    def reload(self, bundle_dir: str | os.PathLike[str]) -> None: ...
    @property
    def bundle_info(self) -> BundleInfo: ...

class _Metrics(ModuleType):
    """Model-monitoring metrics over 1-D C-contiguous float64 arrays (labels: 1 = bad)."""

    def auc(self, scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]) -> float: ...
    def gini(self, scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]) -> float: ...
    def ks(self, scores: npt.NDArray[np.float64], labels: npt.NDArray[np.float64]) -> float: ...
    def psi(self, expected: npt.NDArray[np.float64], actual: npt.NDArray[np.float64], edges: npt.NDArray[np.float64], bins: int, floor: float) -> tuple[float, list[dict[str, Any]]]: ...

metrics: _Metrics
