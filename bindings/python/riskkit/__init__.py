"""riskkit: an embeddable risk-decision engine (features, rules, models, policy, reasons).

    import riskkit
    engine = riskkit.Engine("examples/bundles/application")
    decision = engine.decide(record)         # record: dict of field name -> value
    decision.outcome, decision.scores, decision.reasons
    frame = engine.decide_frame(df)          # one output row per input row

    model = riskkit.load_model("model.ubj")
    model.predict(X)                         # X: numpy array or DataFrame, one row per event

    riskkit.metrics.auc(scores, labels)      # also gini, ks, psi, csi, iv, score_bands, decision_rates
    import riskkit.scorecard, riskkit.plots  # scorecard development; monitoring plots (matplotlib)

    riskkit.io.decide_file(bundle, "in.parquet", "out.parquet")   # also CSV, JSON Lines
    import riskkit.spark, riskkit.dask       # riskkit.spark.decide(spark_df, bundle), ...

Every failure to load or use a bundle, model or record raises riskkit.RiskkitError,
whose ``code`` is a stable name such as "invalid_bundle". See docs/python-api.md.
"""

from . import metrics
from ._core import Decision, RiskkitError, generate_signing_key, replay, sign_bundle, tree_kernel
from ._core import version as _library_version
from ._engine import Engine
from ._model import Model, load_model
from . import features, io, metrics, privacy, rules, scorecard  # noqa: E402  (submodules: riskkit.metrics.auc, ...)

#: The version of the loaded C++ library, "MAJOR.MINOR.PATCH".
__version__: str = _library_version()

__all__ = ["Decision", "Engine", "Model", "RiskkitError", "__version__", "features", "generate_signing_key", "io", "load_model", "metrics", "privacy", "replay", "rules", "scorecard", "sign_bundle", "tree_kernel"]
