"""`run.config` (nested parameters with dotted access) and `run.summary`."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Mapping, MutableMapping, Optional

PARAM_STRING_LENGTH = 4096


def param_value(value: Any) -> Any:
    """A value the runs API stores as a parameter: numbers, strings, bools, None, lists and mappings of them."""
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return value
    if isinstance(value, str):
        return value[:PARAM_STRING_LENGTH]
    if isinstance(value, Mapping):
        return {str(k): param_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [param_value(v) for v in list(value)[:1000]]
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return param_value(value.item())
    return str(value)[:PARAM_STRING_LENGTH]


def flatten(values: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """Nested mappings as dotted paths, as the server stores them (`optimizer.lr`)."""
    out: Dict[str, Any] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = param_value(value)
    return out


class Config(MutableMapping[str, Any]):
    """
    Parameters of a run, nested: `run.config["optimizer"]["lr"]`, `run.config.optimizer.lr`, or
    `run.config["optimizer.lr"]`. Every change is logged (as dotted paths) with the next batch.
    """

    def __init__(
        self, on_change: Callable[[Dict[str, Any]], None], data: Optional[Dict[str, Any]] = None, prefix: str = ""
    ) -> None:
        object.__setattr__(self, "_on_change", on_change)
        object.__setattr__(self, "_data", data if data is not None else {})
        object.__setattr__(self, "_prefix", prefix)

    def _node(self, key: str, create: bool) -> tuple[Dict[str, Any], str]:
        data: Dict[str, Any] = self._data
        parts = key.split(".")
        for part in parts[:-1]:
            child = data.get(part)
            if not isinstance(child, dict):
                if not create:
                    raise KeyError(key)
                child = data[part] = {}
            data = child
        return data, parts[-1]

    def __getitem__(self, key: str) -> Any:
        data, last = self._node(key, False)
        value = data[last]
        if isinstance(value, dict):
            return Config(self._on_change, value, f"{self._prefix}{key}.")
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        data, last = self._node(key, True)
        if isinstance(value, Config):
            value = value.as_dict()
        stored = {str(k): param_value(v) for k, v in value.items()} if isinstance(value, Mapping) else param_value(value)
        data[last] = _deep(stored)
        full = f"{self._prefix}{key}"
        self._on_change(flatten({full: stored}) if isinstance(stored, dict) and stored else {full: stored})

    def __delitem__(self, key: str) -> None:
        data, last = self._node(key, False)
        del data[last]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def update(self, other: Any = (), /, **kwargs: Any) -> None:  # type: ignore[override]
        items = dict(other, **kwargs)
        changes: Dict[str, Any] = {}
        for key, value in items.items():
            data, last = self._node(str(key), True)
            stored = param_value(value.as_dict() if isinstance(value, Config) else value)
            data[last] = _deep(stored)
            full = f"{self._prefix}{key}"
            changes.update(flatten({full: stored}) if isinstance(stored, dict) and stored else {full: stored})
        if changes:
            self._on_change(changes)

    def as_dict(self) -> Dict[str, Any]:
        return _deep(self._data)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Config({self._data!r})"


def _deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v) for v in value]
    return value


class Summary(MutableMapping[str, Any]):
    """
    The last value logged for each metric, and values set by hand (`run.summary["best_acc"] = 0.93`),
    which are stored as parameters under `summary.` so the runs table can filter and sort by them.
    """

    def __init__(self, last_values: Callable[[], Dict[str, Any]], on_set: Callable[[Dict[str, Any]], None]) -> None:
        self._last_values = last_values
        self._on_set = on_set
        self._set: Dict[str, Any] = {}

    def _merged(self) -> Dict[str, Any]:
        return {**self._last_values(), **self._set}

    def __getitem__(self, key: str) -> Any:
        return self._merged()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        stored = param_value(value)
        self._set[key] = stored
        self._on_set({f"summary.{key}": stored})

    def __delitem__(self, key: str) -> None:
        del self._set[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())

    def __repr__(self) -> str:
        return f"Summary({self._merged()!r})"
