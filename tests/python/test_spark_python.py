"""riskkit.spark on a local Spark (``local[2]``, one session for the module).

Reference: the single-process run on the same pandas frame — features.compute and
Engine.decide_frame with a fresh engine (velocity state from empty, rows in event-time
order), Model.predict. The session's time zone is not UTC, so timestamps must survive
Spark's local-time hand-over to pandas.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import numpy as np
import pytest

import riskkit
from scale_data import EXAMPLE_BUNDLE, FEATURES_BUNDLE, example_applications, linked_history

pd = pytest.importorskip("pandas")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17 (java on PATH or JAVA_HOME)", allow_module_level=True)
pyspark = pytest.importorskip("pyspark")
import riskkit.spark  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")  # pyspark's notice about pandas 3


@pytest.fixture(scope="module")
def spark():
    # Workers run this interpreter (the venv's), and inherit RISKKIT_PSEUDONYM_KEY from
    # this process's environment (tests/python/conftest.py) through the JVM.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = (SparkSession.builder.master("local[2]").appName("riskkit-tests")
                   .config("spark.ui.enabled", "false")
                   .config("spark.sql.shuffle.partitions", "4")
                   # keep small shuffles split, so the tests see several partitions
                   .config("spark.sql.adaptive.coalescePartitions.enabled", "false")
                   .config("spark.sql.session.timeZone", "Asia/Shanghai")
                   .config("spark.driver.memory", "1g")
                   .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def history():
    frame = linked_history(21, n=700)
    frame.insert(0, "seq", np.arange(len(frame)))
    return frame


def by_seq(frame):
    return frame.sort_values("seq").reset_index(drop=True)


def test_features_with_velocity_equal_the_single_process_run(spark, history):
    # Rows scattered over partitions: the frame's own order is lost, seq orders equal times.
    sdf = spark.createDataFrame(history).repartition(3)
    got = riskkit.spark.features(sdf, FEATURES_BUNDLE, keep=["seq"], order_by=["seq"])
    assert got.select(F.spark_partition_id()).distinct().count() > 1  # the work was split
    got = by_seq(got.toPandas())
    want = riskkit.features.compute(FEATURES_BUNDLE, history)
    np.testing.assert_array_equal(got[want.columns].to_numpy(), want.to_numpy())


def test_decide_with_velocity_equals_the_single_process_run(spark, history):
    sdf = spark.createDataFrame(history)  # in the frame's order: ties are ordered as in pandas
    got = by_seq(riskkit.spark.decide(sdf, FEATURES_BUNDLE, partitions=3).toPandas())
    want = riskkit.Engine(FEATURES_BUNDLE).decide_frame(history)
    assert got["seq"].tolist() == history["seq"].tolist()
    assert got["event_id"].tolist() == want["event_id"].tolist()
    assert got["outcome"].tolist() == want["outcome"].tolist()
    assert got["rule_hits"].map(list).tolist() == want["rule_hits"].tolist()
    assert got["issues"].tolist() == want["issues"].tolist()


def test_decide_and_predict_the_example_bundle(spark):
    plain = example_applications()
    plain = plain[plain["application_id"].str.startswith("A-")].reset_index(drop=True)
    plain["applied_at"] = pd.to_datetime(plain["applied_at"], utc=True)
    engine = riskkit.Engine(EXAMPLE_BUNDLE)
    want = engine.decide_frame(plain)
    sdf = spark.createDataFrame(plain).repartition(2)
    got = riskkit.spark.decide(sdf, engine, keep=["application_id"]).toPandas()
    got = got.set_index("application_id").loc[plain["application_id"]]
    assert got["outcome"].tolist() == want["outcome"].tolist()
    np.testing.assert_array_equal(got["score_credit"].to_numpy(), want["score_credit"].to_numpy())
    assert got["reasons"].map(list).tolist() == want["reasons"].tolist()

    model = riskkit.load_model(EXAMPLE_BUNDLE / "models" / "credit.json")
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(200, model.num_features)) * 3, columns=model.feature_names)
    X.insert(0, "id", np.arange(len(X)))
    scored = riskkit.spark.predict(spark.createDataFrame(X).repartition(2), model, keep=["id"]).toPandas()
    scored = scored.sort_values("id")
    np.testing.assert_array_equal(scored["score"].to_numpy(), model.predict(X).to_numpy())


def test_missing_required_column_fails_before_any_task(spark, history):
    sdf = spark.createDataFrame(history.drop(columns=["applied_at"]))
    with pytest.raises(riskkit.RiskkitError, match="applied_at"):
        riskkit.spark.decide(sdf, FEATURES_BUNDLE)
