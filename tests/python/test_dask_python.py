"""riskkit.dask on a LocalCluster (2 worker processes, one for the module), and the
entity partitioning both riskkit.dask and riskkit.spark rely on.

Reference: the single-process run on the same pandas frame (features.compute,
Engine.decide_frame with a fresh engine, Model.predict), and hand-worked components.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import riskkit
from riskkit import _manifest, _partition
from scale_data import EXAMPLE_BUNDLE, FEATURES_BUNDLE, example_applications, linked_history

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")
import riskkit.dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_components_join_rows_that_share_any_entity():
    plan = _manifest.velocity_plan(_manifest.read(FEATURES_BUNDLE))
    rows = pd.DataFrame({"device_id": ["d1", " d1", "d2", "d3", None, "d4"],
                         "phone": ["138 1234 5678", "+86 139 0000 1111", "13900001111", "137 0000 0000", "+8613700000000",
                                   None],
                         "applied_at": ["2026-01-01T00:00:00Z"] * 6})
    keys = _partition.entity_keys(rows, plan)
    assert keys["_rk_k0"].tolist() == ["d1", "d1", "d2", "d3", None, "d4"]  # devices trimmed, as the engine does
    assert keys["_rk_k1"].tolist()[:3] == ["8613812345678", "8613900001111", "8613900001111"]
    round_tripped = keys.astype({"_rk_k0": "string", "_rk_k1": "string"})  # None became pd.NA
    mapping = _partition.components(round_tripped, ["_rk_k0", "_rk_k1"])
    labels = _partition.labels(round_tripped, range(6), plan, mapping)
    # d1 -(row 1)- 139… -(row 2)- d2 and d1 -(row 0)- 138…: one component; d3 with 137…; d4 alone.
    assert labels[0] == labels[1] == labels[2]
    assert labels[3] == labels[4] != labels[0]
    assert labels[5] not in (labels[0], labels[3])
    assert keys[_partition.TIME].tolist() == [1767225600000000] * 6


def test_features_and_decide_with_velocity_equal_the_single_process_run(client):
    history = linked_history(31, n=700)
    ddf = dd.from_pandas(history, npartitions=3)
    got = riskkit.dask.features(ddf, FEATURES_BUNDLE, partitions=4).compute()
    assert got.index.is_unique
    want = riskkit.features.compute(FEATURES_BUNDLE, history)
    pd.testing.assert_frame_equal(got.sort_index(), want, check_index_type=False)

    decided = riskkit.dask.decide(ddf, FEATURES_BUNDLE, keep=["application_id"]).compute().sort_index()
    reference = riskkit.Engine(FEATURES_BUNDLE).decide_frame(history)
    assert decided["application_id"].tolist() == history["application_id"].tolist()
    for column in ("event_id", "outcome", "rule_hits", "issues"):
        assert decided[column].tolist() == reference[column].tolist(), column


def test_decide_and_predict_the_example_bundle(client):
    plain = example_applications()
    plain = plain[plain["application_id"].str.startswith("A-")].reset_index(drop=True)
    engine = riskkit.Engine(EXAMPLE_BUNDLE)
    # The bundle has velocity features: rows are repartitioned by entity, so order by index.
    got = riskkit.dask.decide(dd.from_pandas(plain, npartitions=2), engine).compute().sort_index()
    want = engine.decide_frame(plain)
    assert got["outcome"].tolist() == want["outcome"].tolist()
    np.testing.assert_array_equal(got["score_credit"].to_numpy(), want["score_credit"].to_numpy())

    model = riskkit.load_model(EXAMPLE_BUNDLE / "models" / "credit.json")
    X = pd.DataFrame(np.random.default_rng(5).normal(size=(300, model.num_features)) * 3, columns=model.feature_names)
    scored = riskkit.dask.predict(dd.from_pandas(X, npartitions=3), model).compute()
    np.testing.assert_array_equal(scored["score"].to_numpy(), model.predict(X).to_numpy())
    assert not math.isnan(scored["score"].sum())
