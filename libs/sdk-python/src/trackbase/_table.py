"""
`trackbase.Table`: typed columns (number, string, bool, image, audio) from a list of rows with `columns=`,
a dict of columns, a pandas DataFrame or a pyarrow Table, logged with `run.log({"preds": Table(...)}, step=...)`.
pandas and pyarrow are never imported: their objects are recognised by their module and read through
their own methods. The document sent to the server is described in libs/contracts (`TableDocument`).

Media cells: `trackbase.Image`/`trackbase.Audio` values, PIL images and numpy arrays (images), and in a
column typed image or audio also bytes. Each is encoded when the table is made; the document holds its
SHA-256 and the content is uploaded as a media object of the run before the table.
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

MAX_ROWS = 200_000
MAX_COLUMNS = 500
COLUMN_TYPES = ("number", "string", "bool", "image", "audio")
MEDIA_TYPES = ("image", "audio")
DOCUMENT_FORMAT = "trackbase.table/1"

Cell = Union[float, int, str, bool, None]


#: Annotated image cells (caption, boxes, masks) one table may hold (TABLE_LIMITS.annotations).
MAX_ANNOTATIONS = 5_000


def _from_module(value: Any, name: str) -> bool:
    return type(value).__module__.split(".")[0] == name


def _plain(value: Any) -> Any:
    """numpy scalars, pandas missing values (NA, NaT) and the like as plain Python values."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    module = type(value).__module__.split(".")[0]
    if module == "numpy" and getattr(value, "ndim", 0) > 0:
        return value  # an array: an image cell
    if module in ("pandas", "numpy"):
        if type(value).__name__ in ("NAType", "NaTType"):
            return None
        item = getattr(value, "item", None)
        if callable(item):
            return item()
    return value


def _type_of(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    from ._media import Audio, Image

    if isinstance(value, Image) or _from_module(value, "PIL") or _from_module(value, "torch"):
        return "image"
    if _from_module(value, "numpy") and getattr(value, "ndim", 0) in (2, 3):
        return "image"
    if isinstance(value, Audio):
        return "audio"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "media"  # image or audio, as the column says
    raise TypeError(
        "trackbase: Table: cells hold numbers, strings, booleans, None, or images and audio "
        f"(trackbase.Image/Audio, PIL, numpy), not {type(value).__name__}"
    )


def _media_value(kind: str, value: Any) -> Any:
    from ._media import Audio, Image

    if kind == "image":
        return value if isinstance(value, Image) else Image(value)
    return value if isinstance(value, Audio) else Audio(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _wire(value: Any) -> Cell:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value  # type: ignore[no-any-return]


def _dataframe_columns(frame: Any) -> Dict[str, List[Any]]:
    return {str(name): frame[name].tolist() for name in frame.columns}


class Table:
    """
    A table of typed columns. `Table(columns=["id", "label"], data=[[1, "cat"], ...])`, `Table({"id": [...],
    "label": [...]})`, `Table(dataframe=df)` or `Table(df)`. Types are inferred from the cells unless given in
    `types` ({"score": "number"}); every column may hold None. Mistakes raise here, not in the background.
    """

    def __init__(
        self,
        data: Any = None,
        columns: Optional[Sequence[str]] = None,
        dataframe: Any = None,
        types: Optional[Mapping[str, str]] = None,
    ) -> None:
        source = dataframe if dataframe is not None else data
        by_column: Dict[str, List[Any]]
        if source is None:
            raise TypeError("trackbase: Table: give rows with columns=, a dict of columns or a DataFrame")
        if _from_module(source, "pandas") and hasattr(source, "columns"):
            by_column = _dataframe_columns(source)
        elif _from_module(source, "pyarrow") and hasattr(source, "to_pydict"):
            by_column = {str(k): list(v) for k, v in source.to_pydict().items()}
        elif isinstance(source, Mapping):
            by_column = {}
            for name, cells in source.items():
                if hasattr(cells, "tolist"):
                    cells = cells.tolist()
                if isinstance(cells, (str, bytes)) or not hasattr(cells, "__len__"):
                    raise TypeError(f"trackbase: Table: column {name!r} must be a list of cells")
                by_column[str(name)] = list(cells)
            lengths = {len(c) for c in by_column.values()}
            if len(lengths) > 1:
                raise ValueError(f"trackbase: Table: columns have different lengths ({', '.join(map(str, sorted(lengths)))})")
        else:
            if columns is None:
                raise TypeError("trackbase: Table: rows need columns=[names]")
            names = [str(c) for c in columns]
            by_column = {n: [] for n in names}
            if len(by_column) != len(names):
                raise ValueError("trackbase: Table: a column name appears twice")
            lists = list(by_column.values())
            for r, row in enumerate(source):
                row = list(row)
                if len(row) != len(names):
                    raise ValueError(f"trackbase: Table: row {r} has {len(row)} cells, there are {len(names)} columns")
                for c, cell in enumerate(row):
                    lists[c].append(cell)
        if not by_column:
            raise ValueError("trackbase: Table: a table needs at least one column")
        if len(by_column) > MAX_COLUMNS:
            raise ValueError(f"trackbase: Table: a table may have at most {MAX_COLUMNS} columns")
        row_count = len(next(iter(by_column.values())))
        if row_count > MAX_ROWS:
            raise ValueError(f"trackbase: Table: a table may have at most {MAX_ROWS} rows, this one has {row_count}")
        seen = set()
        self.columns: List[Dict[str, str]] = []
        self._data: List[List[Cell]] = []
        #: Contents of the media cells, once each: (sha256, bytes, content type).
        self.media: List[Tuple[str, bytes, str]] = []
        #: Per image column, the captions, boxes and masks its `<sha256>#<n>` cells name.
        self._annotations: Dict[str, List[Dict[str, Any]]] = {}
        media_seen: Dict[str, None] = {}
        for name, raw in by_column.items():
            if not name:
                raise ValueError("trackbase: Table: a column needs a name")
            if name.lower() in seen:
                raise ValueError(f"trackbase: Table: column {name!r} appears twice (names are compared ignoring case)")
            seen.add(name.lower())
            kind = (types or {}).get(name)
            if kind is not None and kind not in COLUMN_TYPES:
                raise ValueError(f"trackbase: Table: column {name!r}: type must be one of {', '.join(COLUMN_TYPES)}")
            cells = [_plain(v) for v in raw]
            if kind is None:
                found = {t for t in map(_type_of, cells) if t is not None}
                if "media" in found:
                    if not found & set(MEDIA_TYPES):
                        raise TypeError(
                            f"trackbase: Table: column {name!r} holds bytes: say whether they are images or audio "
                            f'with types={{{name!r}: "image"}} (or "audio")'
                        )
                    found.discard("media")
                # pandas marks a missing string with NaN: a text column with NaN holes is still text.
                if found == {"string", "number"} and all(
                    not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)) for v in cells
                ):
                    found = {"string"}
                if len(found) > 1:
                    raise TypeError(f"trackbase: Table: column {name!r} mixes {' and '.join(sorted(found))} cells")
                kind = found.pop() if found else "string"
            if kind == "string":
                cells = [None if isinstance(v, float) and math.isnan(v) else v for v in cells]
            for v in cells:
                t = _type_of(v)
                if t == "media" and kind in MEDIA_TYPES:
                    continue
                if t is not None and t != kind:
                    raise TypeError(f"trackbase: Table: column {name!r} holds {kind} values and a {t} ({_short(v)})")
            self.columns.append({"name": name, "type": kind})
            if kind in MEDIA_TYPES:
                cells = [None if v is None else self._media_cell(kind, v, media_seen, name) for v in cells]
            self._data.append([_wire(v) for v in cells] if kind == "number" else cells)
        self.row_count = row_count

    def _media_cell(self, kind: str, value: Any, seen: Dict[str, None], column: str) -> str:
        """The cell: the content's SHA-256, or `<sha256>#<n>` for an image with a caption, boxes or masks
        (the n-th of the column's `annotations` in the document); masks are uploaded beside the images."""
        from ._media import sha256_hex

        fields, blobs = _media_value(kind, value).to_item()
        for data, content_type in blobs:
            blob_digest = sha256_hex(data)
            if blob_digest not in seen:
                seen[blob_digest] = None
                self.media.append((blob_digest, data, content_type))
        digest = sha256_hex(blobs[0][0])
        annotation = {k: fields[k] for k in ("caption", "boxes", "masks") if fields.get(k) is not None}
        if kind != "image" or not annotation:
            return digest
        annotations = self._annotations.setdefault(column, [])
        if sum(len(a) for a in self._annotations.values()) >= MAX_ANNOTATIONS:
            raise ValueError(f"trackbase: Table: a table may hold at most {MAX_ANNOTATIONS} images with captions, boxes or masks")
        annotations.append(annotation)
        return f"{digest}#{len(annotations) - 1}"

    def to_document(self) -> bytes:
        """The document the server takes, as UTF-8 JSON."""
        doc: Dict[str, Any] = {"format": DOCUMENT_FORMAT, "columns": self.columns, "rowCount": self.row_count, "data": self._data}
        if self._annotations:
            doc["annotations"] = self._annotations
        return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def __repr__(self) -> str:
        return f"Table({self.row_count} rows, columns={[c['name'] for c in self.columns]})"
