"""
scikit-learn: a fitted estimator (or pipeline) as a version of a model artifact, with its parameters.

    model = RandomForestClassifier(n_estimators=50).fit(X, y)
    log_model(model, "iris-forest", metrics={"accuracy": model.score(X_test, y_test)})
    ...
    model = load_model("iris-forest:latest")

The version holds `model.pkl` (pickle) and records the estimator's class, scikit-learn's version, the
parameters (`get_params()`), the metrics given and what the estimator learnt about its input (feature
count and names, classes). The run gets the parameters in its config under `model` and the version as
an output (kind `model`), so the run page links to it.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence

import sklearn
from sklearn.utils.validation import check_is_fitted

from .._config_obj import param_value
from ._common import RunHolder, artifact_name

if TYPE_CHECKING:
    from .._run import Run

MODEL_FILE = "model.pkl"


def estimator_params(estimator: Any) -> Dict[str, Any]:
    """`get_params(deep=True)` as storable values (nested estimators by their class name)."""
    out: Dict[str, Any] = {}
    for key, value in estimator.get_params(deep=True).items():
        if hasattr(value, "get_params"):
            value = type(value).__name__
        out[key] = param_value(value)
    return out


def _learnt(estimator: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if hasattr(estimator, "n_features_in_"):
        out["n_features_in"] = int(estimator.n_features_in_)
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        out["feature_names"] = [str(n) for n in names][:1000]
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        out["classes"] = [param_value(c) for c in list(classes)[:1000]]
    return out


def log_model(
    estimator: Any,
    name: Optional[str] = None,
    run: Optional[Run] = None,
    metrics: Optional[Mapping[str, float]] = None,
    aliases: Optional[Sequence[str]] = None,
    description: Optional[str] = None,
    log_params: bool = True,
    raise_errors: bool = False,
) -> Optional[Dict[str, Any]]:
    """
    Logs a fitted estimator to `run` (default: the open `trackbase.init()` run) as a version of the
    model artifact `name` (default: the estimator's class name). Returns the version, or None when it
    could not be logged: the failure is reported and training code goes on, unless `raise_errors`.
    """
    holder = RunHolder("scikit-learn", run)
    try:
        check_is_fitted(estimator)
        target = run if run is not None else _current_run()
        holder._run = target
        cls = type(estimator)
        model_class = f"{cls.__module__}.{cls.__qualname__}"
        params = estimator_params(estimator)
        artifact = artifact_name(name or cls.__name__)
        metadata: Dict[str, Any] = {
            "framework": "scikit-learn",
            "sklearn_version": sklearn.__version__,
            "class": model_class,
            "params": params,
            **_learnt(estimator),
        }
        if metrics:
            metadata["metrics"] = {k: float(v) for k, v in metrics.items()}
        if log_params:
            target.config.update({"model": {"class": model_class, "params": params}})
        with tempfile.TemporaryDirectory(prefix="trackbase-sklearn-") as directory:
            path = os.path.join(directory, MODEL_FILE)
            with open(path, "wb") as out:
                pickle.dump(estimator, out, protocol=pickle.HIGHEST_PROTOCOL)
            version = target.log_artifact(artifact, "model", path, aliases=aliases, metadata=metadata, description=description)
        if version is not None:
            target.log_output(
                kind="model",
                name=artifact,
                version=str(version.get("version") or ""),
                digest=version.get("digest"),
                size_bytes=version.get("size"),
                framework="scikit-learn",
                model_class=model_class,
                hyperparameters=params,
                metadata={"metrics": metadata["metrics"]} if metrics else None,
            )
        return version
    except Exception as error:
        if raise_errors:
            raise
        holder.report("log_model", error)
        return None


def load_model(ref: str, run: Optional[Run] = None) -> Any:
    """Downloads a version logged by `log_model` (`"name:alias"`, `"name:v2"`) and unpickles it (only load models you trust)."""
    import trackbase

    directory = run.use_artifact(ref) if run is not None else trackbase.use_artifact(ref)
    with open(os.path.join(directory, MODEL_FILE), "rb") as source:
        return pickle.load(source)


def _current_run() -> Run:
    import trackbase

    current = trackbase._current()
    if current is None or current.finished:
        raise trackbase.TrackbaseError("log_model needs a run: pass run= or call trackbase.init() first")
    return current
