"""
Evaluation charts computed from predictions and stored as typed data (drawn natively by the web app and
comparable across runs): `run.log({"cm": trackbase.plot.confusion_matrix(y_true, y_pred, class_names)})`.
numpy is imported when a chart is computed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ._media import Chart

__all__ = ["confusion_matrix", "pr_curve", "roc_curve"]

MAX_POINTS = 1_000


def _array(values: Any) -> Any:
    import numpy as np

    if type(values).__module__.startswith("torch"):
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def confusion_matrix(
    y_true: Any, y_pred: Any, class_names: Optional[Sequence[str]] = None, caption: Optional[str] = None
) -> Chart:
    """Counts of (true class, predicted class); labels are class indices, or names found in `class_names`."""
    import numpy as np

    truth, predicted = _array(y_true).ravel(), _array(y_pred).ravel()
    if truth.shape != predicted.shape:
        raise ValueError("y_true and y_pred have the same length")
    if class_names is None:
        labels = sorted(set(truth.tolist()) | set(predicted.tolist()))
        names = [str(v) for v in labels]
        index = {v: i for i, v in enumerate(labels)}
    else:
        names = [str(n) for n in class_names]
        index = {**{i: i for i in range(len(names))}, **{n: i for i, n in enumerate(names)}}
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    for t, p in zip(truth.tolist(), predicted.tolist()):
        if t not in index or p not in index:
            raise ValueError(f"label {t if t not in index else p!r} is not among the classes")
        matrix[index[t], index[p]] += 1
    return Chart("confusion_matrix", {"classNames": names, "matrix": matrix.tolist()}, caption)


def _scores(y_true: Any, y_score: Any, class_names: Optional[Sequence[str]]) -> List[Any]:
    """(name, binary truth, score) per class: y_score is (n,) for a binary problem or (n, classes) of probabilities."""
    truth, scores = _array(y_true).ravel(), _array(y_score)
    if scores.ndim == 1:
        name = str(class_names[1]) if class_names and len(class_names) > 1 else "positive"
        return [(name, truth == 1 if class_names is None or truth.dtype.kind != "U" else truth == name, scores)]
    names = [str(n) for n in class_names] if class_names else [str(i) for i in range(scores.shape[1])]
    if scores.shape[0] != truth.shape[0] or scores.shape[1] != len(names):
        raise ValueError("y_score has one row per sample and one column per class")
    out = []
    for i, name in enumerate(names):
        positive = (truth == i) | (truth.astype(str) == name)
        out.append((name, positive, scores[:, i]))
    return out


def _thin(x: Any, y: Any) -> Dict[str, List[float]]:
    import numpy as np

    if len(x) > MAX_POINTS:
        keep = np.unique(np.linspace(0, len(x) - 1, MAX_POINTS).round().astype(int))
        x, y = x[keep], y[keep]
    return {"x": [float(v) for v in x], "y": [float(v) for v in y]}


def _ranked(positive: Any, score: Any) -> Any:
    """Cumulative true and false positives at each distinct threshold, from the highest score down."""
    import numpy as np

    order = np.argsort(-score, kind="mergesort")
    score, positive = score[order], positive[order].astype(np.float64)
    distinct = np.r_[np.where(np.diff(score))[0], len(score) - 1]
    tps = np.cumsum(positive)[distinct]
    fps = (1 + distinct) - tps
    return tps, fps


def roc_curve(y_true: Any, y_score: Any, class_names: Optional[Sequence[str]] = None, caption: Optional[str] = None) -> Chart:
    """ROC per class (one-vs-rest): false positive rate against true positive rate, with the area under it."""
    import numpy as np

    curves = []
    for name, positive, score in _scores(y_true, y_score, class_names):
        tps, fps = _ranked(positive, np.asarray(score, dtype=np.float64))
        p, n = tps[-1] if len(tps) else 0, fps[-1] if len(fps) else 0
        tpr = np.r_[0.0, tps / p] if p else np.zeros(len(tps) + 1)
        fpr = np.r_[0.0, fps / n] if n else np.zeros(len(fps) + 1)
        trapezoid = getattr(np, "trapezoid", None) or getattr(np, "trapz")  # noqa: B009 (numpy 1 has only trapz)
        auc = float(trapezoid(tpr, fpr))
        curves.append({"className": name, **_thin(fpr, tpr), "auc": auc})
    return Chart("roc_curve", {"curves": curves}, caption)


def pr_curve(y_true: Any, y_score: Any, class_names: Optional[Sequence[str]] = None, caption: Optional[str] = None) -> Chart:
    """Precision-recall per class (one-vs-rest): recall on x, precision on y, with the average precision."""
    import numpy as np

    curves = []
    for name, positive, score in _scores(y_true, y_score, class_names):
        tps, fps = _ranked(positive, np.asarray(score, dtype=np.float64))
        p = tps[-1] if len(tps) else 0
        precision = tps / np.maximum(tps + fps, 1)
        recall = tps / p if p else np.zeros(len(tps))
        ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
        curves.append({"className": name, **_thin(np.r_[0.0, recall], np.r_[1.0, precision]), "auc": ap})
    return Chart("pr_curve", {"curves": curves}, caption)
