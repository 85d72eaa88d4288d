"""
Media values for `run.log`: images (bytes, files, numpy arrays, PIL images, torch tensors), audio, video,
HTML and Markdown documents, figures (Plotly, Vega-Lite, matplotlib) and histograms. Constructing one on
the training thread only copies what the caller could change afterwards (an array is copied, a tensor
cloned on its device without synchronising); encoding, hashing and journalling happen on the writer
thread, uploading on the sender thread. numpy, PIL, torch and matplotlib are imported only when the
caller passes their objects.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

#: (bytes, content type) of one content object an item references.
Blob = Tuple[bytes, str]

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(data: bytes) -> str:
    for magic, content_type in _MAGIC:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(pixels: Any) -> bytes:
    """A PNG of a uint8 (or uint16, grayscale) numpy array of shape (H, W) or (H, W, C) with C in 1, 3, 4."""
    import numpy as np

    array = np.ascontiguousarray(pixels)
    if array.ndim == 2:
        array = array[:, :, None]
    height, width, channels = array.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    depth = 16 if array.dtype == np.uint16 else 8
    if depth == 16:
        array = array.astype(">u2")
    rows = array.reshape(height, -1).view(np.uint8).reshape(height, -1)
    # Filter type 0 (none) before each row; zlib level 1: the training host pays for encoding, the store for bytes.
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 1)) + _chunk(b"IEND", b"")


def _module(value: Any) -> str:
    return type(value).__module__.split(".", 1)[0]


def _snapshot(data: Any) -> Any:
    """What the caller may change after logging is copied now: arrays, tensors (cloned on their device), PIL images."""
    module = _module(data)
    if module == "numpy":
        return data.copy()
    if module == "torch":
        return data.detach().clone()
    if module == "PIL":
        return data.copy()
    return data


def to_pixels(data: Any) -> Any:
    """A uint8 array (H, W) or (H, W, C) from numpy (HW, HWC, CHW; uint8, or float in [0, 1]), torch or PIL."""
    import numpy as np

    module = _module(data)
    if module == "torch":
        data = data.detach().cpu().numpy()
    elif module == "PIL":
        image = data if data.mode in ("L", "RGB", "RGBA", "LA") else data.convert("RGBA" if "A" in data.mode else "RGB")
        data = np.asarray(image)
    array = np.asarray(data)
    if array.ndim == 3 and array.shape[0] in (1, 3, 4) and array.shape[2] not in (1, 3, 4):
        array = array.transpose(1, 2, 0)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"an image array has shape (H, W), (H, W, C) or (C, H, W) with C in 1, 3, 4; got {array.shape}")
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("an image array holds NaN or infinities")
        return (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    if array.dtype != np.uint8:
        if array.min() < 0 or array.max() > 255:
            raise ValueError(
                f"integer image values must lie in 0..255 (got {array.min()}..{array.max()}); pass uint8 or floats in [0, 1]"
            )
        return array.astype(np.uint8)
    return array


def _read(data: Any) -> Optional[bytes]:
    """Bytes as given, or a file's bytes (read now: the file may be rewritten after logging)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as f:
            return f.read()
    return None


class Media:
    """A value `run.log` stores as a media item; subclasses say what to upload and what the item declares."""

    type = ""

    def __init__(self, caption: Optional[str] = None) -> None:
        self.caption = caption

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        """(item fields besides key, step, time and index; content objects). The first blob is the item's own content."""
        raise NotImplementedError

    def _with_caption(self, item: Dict[str, Any]) -> Dict[str, Any]:
        if self.caption is not None:
            item["caption"] = str(self.caption)
        return item


def _class_names(value: Any) -> Optional[Dict[str, str]]:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(int(k)): str(v) for k, v in value.items()}
    return {str(i): str(v) for i, v in enumerate(value)}


def _box_group(name: str, group: Any) -> Dict[str, Any]:
    if isinstance(group, Mapping):
        spec = dict(group)
        boxes = spec.get("boxes", spec.get("box_data", []))
    else:
        spec, boxes = {}, group
    out: Dict[str, Any] = {
        "coordinates": spec.get("coordinates", "pixel"),
        "format": spec.get("format", "xyxy"),
        "boxes": [],
    }
    names = _class_names(spec.get("class_names", spec.get("classNames", spec.get("class_labels"))))
    if names:
        out["classNames"] = names
    if out["coordinates"] not in ("pixel", "fraction") or out["format"] not in ("xyxy", "xywh"):
        raise ValueError(f"boxes {name!r}: coordinates is 'pixel' or 'fraction', format 'xyxy' or 'xywh'")
    for b in boxes:
        if isinstance(b, Mapping):
            box: Dict[str, Any] = {"box": [float(v) for v in b["box"]]}
            class_id = b.get("class_id", b.get("classId"))
            if class_id is not None:
                box["classId"] = int(class_id)
            if b.get("score") is not None:
                box["score"] = float(b["score"])
            if b.get("label") is not None:
                box["label"] = str(b["label"])
        else:
            box = {"box": [float(v) for v in b]}
        if len(box["box"]) != 4:
            raise ValueError(f"boxes {name!r}: each box has four coordinates")
        out["boxes"].append(box)
    return out


class Image(Media):
    """
    An image: PNG/JPEG/WebP/GIF bytes or a file path, a numpy array (HW, HWC, CHW; uint8, or float in
    [0, 1]), a PIL image or a torch tensor. `boxes`: {group: {"boxes": [{"box": [x1, y1, x2, y2],
    "class_id": 0, "score": 0.9}], "class_names": {0: "cat"}, "coordinates": "pixel" | "fraction",
    "format": "xyxy" | "xywh"}}. `masks`: {group: {"mask": 2-D array of class ids, "class_names": {...}}}.
    """

    type = "image"

    def __init__(
        self,
        data: Any,
        caption: Optional[str] = None,
        boxes: Optional[Mapping[str, Any]] = None,
        masks: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(caption)
        encoded = _read(data)
        self._encoded = encoded
        self._data: Any = None if encoded is not None else _snapshot(data)
        self._boxes = {str(k): _box_group(str(k), v) for k, v in boxes.items()} if boxes else None
        self._masks: Optional[Dict[str, Tuple[Any, Optional[Dict[str, str]]]]] = None
        if masks:
            self._masks = {}
            for name, spec in masks.items():
                mask = spec.get("mask", spec.get("mask_data")) if isinstance(spec, Mapping) else spec
                names = _class_names(spec.get("class_names", spec.get("class_labels"))) if isinstance(spec, Mapping) else None
                self._masks[str(name)] = (_snapshot(mask), names)

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        if self._encoded is not None:
            blob: Blob = (self._encoded, sniff_image(self._encoded))
        elif _module(self._data) == "PIL":
            import io

            out = io.BytesIO()
            image = self._data
            if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
                image = image.convert("RGB")
            image.save(out, format="PNG")
            blob = (out.getvalue(), "image/png")
        else:
            blob = (encode_png(to_pixels(self._data)), "image/png")
        item: Dict[str, Any] = {"type": "image"}
        blobs = [blob]
        if self._boxes:
            item["boxes"] = self._boxes
        if self._masks:
            import numpy as np

            item["masks"] = {}
            for name, (mask, names) in self._masks.items():
                ids = mask.detach().cpu().numpy() if _module(mask) == "torch" else np.asarray(mask)
                if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer) and ids.dtype != np.bool_:
                    raise ValueError(f"mask {name!r} is a 2-D array of integer class ids")
                if ids.min() < 0 or ids.max() > 65535:
                    raise ValueError(f"mask {name!r}: class ids lie in 0..65535")
                png = encode_png(ids.astype(np.uint8 if ids.max() < 256 else np.uint16))
                blobs.append((png, "image/png"))
                item["masks"][name] = {"sha256": sha256_hex(png), "size": len(png), **({"classNames": names} if names else {})}
        return self._with_caption(item), blobs


class Audio(Media):
    """Audio: WAV/MP3/OGG/FLAC bytes or a file, or a numpy array of samples (mono, or (samples, channels)) with `sample_rate`."""

    type = "audio"

    def __init__(self, data: Any, sample_rate: Optional[int] = None, caption: Optional[str] = None) -> None:
        super().__init__(caption)
        self._encoded = _read(data)
        self._data: Any = None if self._encoded is not None else _snapshot(data)
        self.sample_rate = sample_rate
        if self._encoded is None and not sample_rate:
            raise ValueError("Audio from samples needs sample_rate")

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        item: Dict[str, Any] = {"type": "audio"}
        if self._encoded is not None:
            data = self._encoded
        else:
            import numpy as np

            samples = np.asarray(self._data.detach().cpu().numpy() if _module(self._data) == "torch" else self._data)
            if np.issubdtype(samples.dtype, np.floating):
                samples = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
            else:
                samples = samples.astype("<i2")
            channels = 1 if samples.ndim == 1 else samples.shape[1]
            body = samples.tobytes()
            rate = int(self.sample_rate or 0)
            header = b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt "
            header += struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16)
            data = header + b"data" + struct.pack("<I", len(body)) + body
        if self.sample_rate:
            item["sampleRate"] = int(self.sample_rate)
        return self._with_caption(item), [(data, "audio/wav" if self._encoded is None else "application/octet-stream")]


class Video(Media):
    """A video: MP4, WebM or GIF bytes or a file (the server checks which)."""

    type = "video"

    def __init__(self, data: Any, caption: Optional[str] = None) -> None:
        super().__init__(caption)
        encoded = _read(data)
        if encoded is None:
            raise TypeError("Video takes the bytes or the path of an MP4, WebM or GIF file")
        self._encoded = encoded

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        return self._with_caption({"type": "video"}), [(self._encoded, "application/octet-stream")]


class Html(Media):
    """An HTML document (a string, bytes or a file); the web app shows it only in a sandboxed frame."""

    type = "html"

    def __init__(self, data: Any, caption: Optional[str] = None) -> None:
        super().__init__(caption)
        encoded = data.encode() if isinstance(data, str) and not os.path.isfile(data) else _read(data)
        if encoded is None:
            raise TypeError("Html takes a string, bytes or a path")
        self._encoded: bytes = encoded

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        return self._with_caption({"type": "html"}), [(self._encoded, "text/html")]


class Markdown(Media):
    """Markdown text, rendered sanitised."""

    type = "markdown"

    def __init__(self, text: str, caption: Optional[str] = None) -> None:
        super().__init__(caption)
        self.text = str(text)

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        return self._with_caption({"type": "markdown", "data": {"text": self.text}}), []


class Figure(Media):
    """
    A figure: a Plotly figure (or its dict), a Vega-Lite specification (dict with `$schema` naming
    vega-lite, or an Altair chart), or a matplotlib figure (saved as SVG, or PNG with `format="png"`).
    """

    type = "figure"

    def __init__(self, figure: Any, caption: Optional[str] = None, format: Optional[str] = None) -> None:
        super().__init__(caption)
        module = _module(figure)
        if module == "matplotlib":
            import io

            fmt = format or "svg"
            out = io.BytesIO()
            figure.savefig(out, format=fmt, bbox_inches="tight")
            self.format, self._bytes = fmt, out.getvalue()
        elif module == "plotly":
            self.format, self._bytes = "plotly", figure.to_json().encode()
        elif module == "altair":
            self.format, self._bytes = "vega-lite", json.dumps(figure.to_dict()).encode()
        elif isinstance(figure, Mapping):
            is_vega = "vega-lite" in str(figure.get("$schema", "")) or format == "vega-lite"
            self.format = "vega-lite" if is_vega else "plotly"
            self._bytes = json.dumps(figure).encode()
        else:
            raise TypeError("Figure takes a matplotlib, Plotly or Altair figure, or a Plotly/Vega-Lite dict")

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        content_type = {"svg": "image/svg+xml", "png": "image/png"}.get(self.format, "application/json")
        return self._with_caption({"type": "figure", "format": self.format}), [(self._bytes, content_type)]


class Histogram(Media):
    """A distribution at a step: from values (binned here, `bins` of them) or from precomputed `(counts, edges)`."""

    type = "histogram"

    def __init__(
        self, values: Any = None, bins: int = 64, np_histogram: Optional[Tuple[Sequence[float], Sequence[float]]] = None
    ) -> None:
        super().__init__(None)
        if np_histogram is not None:
            counts, edges = np_histogram
            self._data: Any = ([float(c) for c in counts], [float(e) for e in edges])
        else:
            if values is None:
                raise ValueError("Histogram takes values or np_histogram=(counts, edges)")
            self._data = _snapshot(values)
        self.bins = int(bins)

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        if isinstance(self._data, tuple):
            counts, edges = self._data
        else:
            import numpy as np

            values = self._data.detach().cpu().numpy() if _module(self._data) == "torch" else self._data
            array = np.asarray(values, dtype=np.float64).ravel()
            array = array[np.isfinite(array)]
            c, e = np.histogram(array, bins=self.bins)
            counts, edges = c.astype(float).tolist(), e.tolist()
        return {"type": "histogram", "data": {"counts": list(counts), "edges": list(edges)}}, []


class Chart(Media):
    """An evaluation chart computed by `trackbase.plot` (confusion matrix, ROC, PR), stored as typed data."""

    def __init__(self, type: str, data: Dict[str, Any], caption: Optional[str] = None) -> None:
        super().__init__(caption)
        self.type = type
        self.data = data

    def to_item(self) -> Tuple[Dict[str, Any], List[Blob]]:
        return self._with_caption({"type": self.type, "data": self.data}), []


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_values(value: Any) -> Optional[List[Media]]:
    """The media items of a logged value (one, or a list/tuple of them), or None for anything else."""
    if isinstance(value, Media):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Media) for v in value):
        return list(value)
    return None
