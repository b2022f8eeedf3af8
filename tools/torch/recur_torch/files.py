"""recur's files: safetensors (read and write, no `safetensors` package needed) and the model config
in __metadata__["recur.config"] (src/format/checkpoint.ts is the TypeScript side)."""

import json
import os
import struct

import numpy as np

CONFIG_KEY = "recur.config"
TRAIN_KEY = "recur.train"
DATA_KEY = "recur.data"


class CheckpointError(Exception):
    """A file or an input this tool cannot use; the message says why, in one line."""


_NP_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "i1", "U8": "u1", "BOOL": "?"}
_CODES = {np.dtype(np.float32): ("F32", "<f4"), np.dtype(np.float64): ("F64", "<f8"),
          np.dtype(np.int32): ("I32", "<i4"), np.dtype(np.int64): ("I64", "<i8")}


def read_safetensors(path):
    """(tensors: dict name -> np.ndarray in file order, metadata: dict str -> str)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read it ({e.strerror})") from None
    if len(raw) < 8:
        raise CheckpointError(f"{path}: not a safetensors file ({len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise CheckpointError(f"{path}: not a safetensors file (header length {n} > file size)")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: the safetensors header is not valid JSON ({e})") from None
    meta = header.pop("__metadata__", None) or {}
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        buf = raw[base + b : base + e]
        dtype = info["dtype"]
        if dtype == "BF16":
            arr = (np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _NP_DTYPES:
            arr = np.frombuffer(buf, dtype=_NP_DTYPES[dtype])
        else:
            raise CheckpointError(f"{path}: tensor {name!r} has unsupported dtype {dtype}")
        tensors[name] = arr.reshape([int(s) for s in info["shape"]])
    return tensors, meta


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, np.ndarray float32/float64/int32/int64) in file order. Atomic: a
    temporary file renamed over `path`, so a failed write leaves what was there."""
    header = {}
    blobs = []
    offset = 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in _CODES:
            raise TypeError(f"{name}: unsupported dtype {arr.dtype}")
        code, le = _CODES[arr.dtype]
        data = arr.astype(le).tobytes()
        header[name] = {"dtype": code, "shape": [int(s) for s in arr.shape],
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hbytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hbytes += b" " * ((-len(hbytes)) % 8)  # data 8-aligned
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(hbytes)))
            f.write(hbytes)
            for b in blobs:
                f.write(b)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_config(meta, what):
    """__metadata__["recur.config"] as a JSON object (src/format/checkpoint.ts readConfig)."""
    text = meta.get(CONFIG_KEY)
    if text is None:
        raise CheckpointError(f'{what}: no "{CONFIG_KEY}" in __metadata__; this is not a recur checkpoint')
    try:
        o = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f'{what}: "{CONFIG_KEY}" is not valid JSON ({e})') from None
    if not isinstance(o, dict):
        raise CheckpointError(f'{what}: "{CONFIG_KEY}" must be a JSON object')
    return o


def dumps(o):
    """JSON as recur writes it (compact, UTF-8 kept)."""
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)
