#!/usr/bin/python3
"""recur's language-model checkpoints in PyTorch, both ways.

The format is src/models/lm-file.ts: one safetensors file with

    embedding.weight   (V, E)       when an embedding is used (else the input is one-hot, size V)
    rnn.<name>         torch.nn.RNN / GRU / LSTM state_dict names (rnn.weight_ih_l0, ...)
    head.weight        (V, D*H)
    head.bias          (V)
    optim.*, train.*   optimizer and carried state of a training run (ignored here)

and __metadata__["recur.config"] = {"model": "lm", "tokenizer": {"kind", "tokens", "unk",
"preprocess"}, "embeddingSize": E or null, "rnn": {the recurrent stack's config}}.

    x_t = one_hot(w_t) or E[w_t];  h = RNN(x) (time-major);  logits = head(h)

CharLM is that model as a torch.nn.Module: CharLM.load(path) reads a checkpoint written by
`recur train` (or by this file), model.save(path) writes one that `recur eval` / `recur generate`
read. perplexity(model, text) and greedy(model, prefix, length) compute what `recur eval` and
`recur generate --greedy` print. The tokenizer (characters or words, d2l preprocessing, the
vocabulary's order) is the same as src/data/text.ts.

Cells torch does not have are refused: the reset-before GRU (recur's default; torch.nn.GRU is
"resetAfter": true), the identity RNN and the residual cells.

CLI (see tools/torch/README.md):

    /usr/bin/python3 tools/torch/charlm.py eval CHECKPOINT TEXTFILE [--json]
    /usr/bin/python3 tools/torch/charlm.py generate CHECKPOINT [--prefix P] [--length N] [--greedy] [--json]
    /usr/bin/python3 tools/torch/charlm.py train TEXTFILE --out CHECKPOINT [--cell lstm] [--hidden 64] ...
"""

import argparse
import json
import math
import os
import re
import struct
import sys
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG_KEY = "recur.config"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_TEXTS = {"timemachine": "timemachine.txt", "tinyshakespeare": "tinyshakespeare.txt"}


class CheckpointError(Exception):
    """A checkpoint or an input this tool cannot use; the message says why."""


# --------------------------------------------------------------------------- safetensors

_NP_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
              "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """(tensors: dict name -> np.ndarray, metadata: dict str -> str)."""
    with open(path, "rb") as f:
        raw = f.read()
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
    """tensors: list of (name, np.ndarray float32/float64/int32/int64) in file order. Atomic."""
    header = {}
    blobs = []
    offset = 0
    codes = {np.dtype(np.float32): ("F32", "<f4"), np.dtype(np.float64): ("F64", "<f8"),
             np.dtype(np.int32): ("I32", "<i4"), np.dtype(np.int64): ("I64", "<i8")}
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in codes:
            raise TypeError(f"{name}: unsupported dtype {arr.dtype}")
        code, le = codes[arr.dtype]
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
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- text and tokens

# JavaScript's \s (src/data/text.ts splits words on /\s+/): Python's str.split() differs on a few
# code points (it splits on \x1c-\x1f and \x85, not on \ufeff).
_JS_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_NON_LETTERS = re.compile("[^A-Za-z]+")


def read_text(path):
    """A UTF-8 file as recur reads it (TextDecoder: a leading BOM dropped, newlines kept as they are),
    or a corpus shipped in data/ by name (timemachine, tinyshakespeare)."""
    if path in SHIPPED_TEXTS and not os.path.exists(path):
        path = os.path.join(REPO, "data", SHIPPED_TEXTS[path])
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: expected UTF-8 text, got bytes that are not valid UTF-8") from None


def preprocess_d2l(text):
    """d2l's read_time_machine: re.sub('[^A-Za-z]+', ' ', line).strip().lower() for every line."""
    return [_NON_LETTERS.sub(" ", line).strip().lower() for line in text.split("\n")]


def _words(s):
    return [w for w in _JS_SPACE.split(s) if w]


def tokenize(text, kind, preprocess):
    """Characters are code points (for d2l: the lines joined with no separator); words split on
    whitespace."""
    if preprocess == "d2l":
        lines = preprocess_d2l(text)
        return [c for line in lines for c in line] if kind == "char" else [w for line in lines for w in _words(line)]
    return list(text) if kind == "char" else _words(text)


class Tokenizer:
    """The vocabulary of a checkpoint: `tokens` in index order, `unk` (or None), kind, preprocess."""

    def __init__(self, kind, tokens, unk, preprocess="none"):
        if kind not in ("char", "word"):
            raise CheckpointError(f'tokenizer: "kind" must be "char" or "word", got {kind!r}')
        if preprocess not in ("none", "d2l"):
            raise CheckpointError(f'tokenizer: "preprocess" must be "none" or "d2l", got {preprocess!r}')
        if not isinstance(tokens, list) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise CheckpointError('tokenizer: "tokens" must be a non-empty array of strings')
        self.kind, self.tokens, self.unk, self.preprocess = kind, list(tokens), unk, preprocess
        self.index = {}
        for i, t in enumerate(self.tokens):
            if t in self.index:
                raise CheckpointError(f"vocabulary: token {t!r} appears twice (at {self.index[t]} and {i})")
            self.index[t] = i
        if unk is not None and unk not in self.index:
            raise CheckpointError(f"vocabulary: the unknown token {unk!r} is not among the tokens")

    @classmethod
    def build(cls, corpus, kind, preprocess, min_freq=0, unk="<unk>", reserved=()):
        """d2l's Vocab, as src/data/text.ts Vocab.build: unk and reserved tokens first, then by
        frequency (>= min_freq), most frequent first, ties in order of first appearance."""
        counts = Counter(corpus)  # insertion order = first appearance; sorted() is stable
        tokens = list(dict.fromkeys(([unk] if unk is not None else []) + list(reserved)))
        seen = set(tokens)
        for t, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            if n < min_freq:
                break
            if t not in seen:
                tokens.append(t)
                seen.add(t)
        return cls(kind, tokens, unk, preprocess)

    @classmethod
    def from_config(cls, o):
        if not isinstance(o, dict):
            raise CheckpointError(f"tokenizer: expected an object, got {o!r}")
        unk = o.get("unk")
        if unk is not None and not isinstance(unk, str):
            raise CheckpointError(f'tokenizer: "unk" must be a string or null, got {unk!r}')
        return cls(o.get("kind"), o.get("tokens"), unk, o.get("preprocess") or "none")

    def config(self):
        return {"kind": self.kind, "tokens": list(self.tokens), "unk": self.unk, "preprocess": self.preprocess}

    @property
    def size(self):
        return len(self.tokens)

    def encode(self, tokens, what="text"):
        """Ids; an unknown token maps to unk, or is an error naming it when there is none."""
        unk_id = self.index[self.unk] if self.unk is not None else -1
        ids, missing = [], {}
        for t in tokens:
            i = self.index.get(t, unk_id)
            if i < 0:
                missing[t] = True
            ids.append(i)
        if missing:
            missing = list(missing)
            noun = "character" if self.kind == "char" else "word"
            shown = ", ".join(json.dumps(t, ensure_ascii=False) for t in missing[:20])
            raise CheckpointError(f"{what}: {len(missing)} {noun}{'s' if len(missing) > 1 else ''} not in the "
                                  f"vocabulary, which has no unknown token: {shown}{', ...' if len(missing) > 20 else ''}")
        return ids

    def encode_text(self, text, what="text"):
        return self.encode(tokenize(text, self.kind, self.preprocess), what)

    def decode(self, ids):
        return ("" if self.kind == "char" else " ").join(self.tokens[i] for i in ids)


# --------------------------------------------------------------------------- the model

_RNN_KEYS = ("cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "resetAfter",
             "bias", "residual", "dropout", "forgetBias")
_RNN_DEFAULTS = {"numLayers": 1, "bidirectional": False, "nonlinearity": "tanh", "resetAfter": False, "bias": True,
                 "residual": "x", "dropout": 0, "forgetBias": 0}


def torch_rnn_config(raw, what="rnn"):
    """recur's stack config with its defaults filled in (layers/config.ts), refusing what torch lacks."""
    if not isinstance(raw, dict):
        raise CheckpointError(f"{what}: expected a JSON object, got {raw!r}")
    for key in raw:
        if key not in _RNN_KEYS:
            raise CheckpointError(f'{what}: unknown key "{key}"; expected one of {", ".join(_RNN_KEYS)}')
    c = dict(_RNN_DEFAULTS)
    c.update({k: v for k, v in raw.items() if v is not None})
    for key in ("cell", "inputSize", "hiddenSize"):
        if key not in c:
            raise CheckpointError(f'{what}: missing "{key}"')
    cell = c["cell"]
    if cell == "residual":
        raise CheckpointError(f'{what}: "cell" is "residual": PyTorch has no residual cell; this checkpoint can be '
                              f"used by recur only (train an rnn, gru --reset-after or lstm to move it to PyTorch)")
    if cell not in ("rnn", "gru", "lstm"):
        raise CheckpointError(f'{what}: "cell" must be one of "rnn", "gru", "lstm", got {cell!r}')
    if cell == "gru" and c["resetAfter"] is not True:
        raise CheckpointError(f'{what}: a reset-before GRU ("resetAfter": false, recur\'s default and the notes\' '
                              f"form) has no PyTorch equivalent: torch.nn.GRU applies the reset gate after the "
                              f'recurrent product ("resetAfter": true; `recur train --cell gru --reset-after`)')
    if cell == "rnn" and c["nonlinearity"] not in ("tanh", "relu"):
        raise CheckpointError(f'{what}: an RNN with "nonlinearity": {json.dumps(c["nonlinearity"])} has no PyTorch '
                              f'equivalent: torch.nn.RNN has "tanh" and "relu"')
    if cell != "rnn" and c["nonlinearity"] != "tanh":
        raise CheckpointError(f'{what}: "nonlinearity" applies to "rnn" cells only, got {c["nonlinearity"]!r}')
    for key in ("inputSize", "hiddenSize", "numLayers"):
        if not (isinstance(c[key], int) and not isinstance(c[key], bool) and c[key] >= 1):
            raise CheckpointError(f'{what}: "{key}" must be a positive integer, got {c[key]!r}')
    return c


class CharLM(nn.Module):
    """one-hot or nn.Embedding -> nn.RNN / GRU / LSTM (time-major) -> nn.Linear.

    state_dict names are the checkpoint's: embedding.weight, rnn.*, head.weight, head.bias."""

    def __init__(self, tokenizer, rnn, embedding_size=None):
        super().__init__()
        V = tokenizer.size
        I = V if embedding_size is None else embedding_size
        rnn = dict(rnn)
        rnn.setdefault("inputSize", I)
        c = torch_rnn_config(rnn)
        if c["inputSize"] != I:
            raise CheckpointError(f"rnn.inputSize must be {'the vocabulary size %d (one-hot input)' % V if embedding_size is None else 'embeddingSize %d' % I}, got {c['inputSize']}")
        self.tokenizer = tokenizer
        self.config = c
        self.vocab_size = V
        self.embedding_size = embedding_size
        self.embedding = nn.Embedding(V, embedding_size) if embedding_size is not None else None
        kw = dict(input_size=I, hidden_size=c["hiddenSize"], num_layers=c["numLayers"], bias=c["bias"],
                  bidirectional=c["bidirectional"], dropout=c["dropout"] if c["numLayers"] > 1 else 0.0)
        if c["cell"] == "rnn":
            self.rnn = nn.RNN(nonlinearity=c["nonlinearity"], **kw)
        elif c["cell"] == "gru":
            self.rnn = nn.GRU(**kw)
        else:
            self.rnn = nn.LSTM(**kw)
        D = 2 if c["bidirectional"] else 1
        self.head = nn.Linear(D * c["hiddenSize"], V)

    def encode(self, ids):
        """ids (T, B) int64 -> x (T, B, E or V)."""
        if self.embedding is None:
            return F.one_hot(ids, self.vocab_size).to(self.head.weight.dtype)
        return self.embedding(ids)

    def forward(self, ids, state=None):
        """ids (T, B) -> logits (T, B, V), final state (h, or (h, c) for an LSTM)."""
        y, state = self.rnn(self.encode(ids), state)
        return self.head(y), state

    def config_json(self):
        return json.dumps({"model": "lm", "tokenizer": self.tokenizer.config(), "embeddingSize": self.embedding_size,
                           "rnn": self.config}, separators=(",", ":"), ensure_ascii=False)

    def save(self, path, tokenizer=None):
        """Write the checkpoint (float32), readable by `recur eval` / `recur generate` / this file."""
        if tokenizer is not None:
            if tokenizer.size != self.vocab_size:
                raise CheckpointError(f"save: the tokenizer has {tokenizer.size} tokens, the model {self.vocab_size}")
            self.tokenizer = tokenizer
        tensors = [(name, t.detach().to(torch.float32).cpu().contiguous().numpy())
                   for name, t in self.state_dict().items()]
        write_safetensors(path, tensors, {CONFIG_KEY: self.config_json()})

    @classmethod
    def load(cls, path):
        """A checkpoint written by recur or by save(); optim.* and train.* tensors are ignored."""
        tensors, meta = read_safetensors(path)
        text = meta.get(CONFIG_KEY)
        if text is None:
            raise CheckpointError(f'{path}: no "{CONFIG_KEY}" in __metadata__; this is not a recur checkpoint')
        try:
            o = json.loads(text)
        except json.JSONDecodeError as e:
            raise CheckpointError(f'{path}: "{CONFIG_KEY}" is not valid JSON ({e})') from None
        if not isinstance(o, dict) or o.get("model") != "lm":
            got = json.dumps(o.get("model")) if isinstance(o, dict) and "model" in o else 'a recurrent stack (no "model" key)'
            raise CheckpointError(f'{path}: expected a language model checkpoint ("model": "lm"), got {got}')
        tok = Tokenizer.from_config(o.get("tokenizer"))
        E = o.get("embeddingSize")
        if E is not None and not (isinstance(E, int) and not isinstance(E, bool) and E >= 1):
            raise CheckpointError(f'{path}: "embeddingSize" must be a positive integer or null (one-hot), got {E!r}')
        try:
            torch_rnn_config(o.get("rnn"), "rnn")
        except CheckpointError as e:
            raise CheckpointError(f"{path}: {e}") from None
        model = cls(tok, o["rnn"], E)
        want = model.state_dict()
        state = {}
        for name, arr in tensors.items():
            if name.startswith("optim.") or name.startswith("train."):
                continue
            if name not in want:
                raise CheckpointError(f'{path}: unexpected tensor "{name}"; expected {", ".join(want)} (and optim.*, train.*)')
            if tuple(arr.shape) != tuple(want[name].shape):
                raise CheckpointError(f'{path}: tensor "{name}": expected shape {tuple(want[name].shape)}, got {tuple(arr.shape)}')
            state[name] = torch.from_numpy(np.array(arr, dtype=np.float32))
        missing = [n for n in want if n not in state]
        if missing:
            raise CheckpointError(f"{path}: missing tensors {', '.join(missing)}")
        model.load_state_dict(state)
        model.eval()
        return model


# --------------------------------------------------------------------------- what recur computes


@torch.no_grad()
def perplexity(model, text):
    """`recur eval`: one pass over the whole text from a zero state, token i+1 predicted from tokens
    0..i; mean cross-entropy (nats per token) and its exp. Logits in the model's dtype, the sum in
    float64."""
    model.eval()
    ids = model.tokenizer.encode_text(text, "text")
    if len(ids) < 2:
        raise CheckpointError(f"evaluation text: expected at least 2 tokens, got {len(ids)}")
    x = torch.tensor(ids[:-1], dtype=torch.int64).view(-1, 1)
    y = torch.tensor(ids[1:], dtype=torch.int64)
    logits, _ = model(x)
    total = F.cross_entropy(logits.view(-1, model.vocab_size).double(), y, reduction="sum").item()
    loss = total / len(y)
    return {"perplexity": math.exp(loss), "tokens": len(y), "loss": loss}


def _prefix_ids(model, prefix):
    tok = model.tokenizer
    if model.config["bidirectional"]:
        raise CheckpointError("a bidirectional model sees the future: it can score text but cannot generate it")
    ids = tok.encode(tokenize(prefix, tok.kind, tok.preprocess), "prefix")
    if not ids:
        extra = " (after d2l preprocessing: letters only)" if tok.preprocess == "d2l" else ""
        raise CheckpointError(f"prefix: expected at least one token, got {json.dumps(prefix)}{extra}")
    return ids


@torch.no_grad()
def _generate(model, prefix, length, choose):
    model.eval()
    tok = model.tokenizer
    ids = _prefix_ids(model, prefix)
    out = [tok.decode(ids)]
    state = None
    for i in ids[:-1]:  # warm-up: every prefix token but the last only updates the state
        _, state = model(torch.tensor([[i]]), state)
    cur = ids[-1]
    sep = "" if tok.kind == "char" else " "
    for _ in range(length):
        logits, state = model(torch.tensor([[cur]]), state)
        cur = choose(logits.view(-1))
        out.append(sep + tok.tokens[cur])
    return "".join(out)


def greedy(model, prefix, length, margins=None):
    """d2l's predict_ch8 with argmax (`recur generate --greedy`): the prefix (decoded: an unknown
    token prints as unk) followed by `length` tokens. `margins`, a list, receives top1 - top2 of
    the logits at every step."""
    def choose(logits):
        if margins is not None and logits.numel() > 1:
            top = torch.topk(logits, 2).values
            margins.append(float(top[0] - top[1]))
        return int(torch.argmax(logits))  # the first maximal index on ties, as recur
    return _generate(model, prefix, length, choose)


def sample(model, prefix, length, temperature=1.0, seed=0):
    """A draw at a temperature (torch's generator: not the same draws as recur's)."""
    g = torch.Generator().manual_seed(seed)
    return _generate(model, prefix, length,
                     lambda logits: int(torch.multinomial(torch.softmax(logits.double() / temperature, 0), 1, generator=g)))


def train(model, ids, steps, batch=32, bptt=35, lr=0.01, clip=1.0, seed=0, log=None):
    """A quick training: `steps` Adam updates on random windows of `bptt` tokens (d2l's random
    sampling), each from a zero state, global-norm clipping at `clip` (0 = off)."""
    g = torch.Generator().manual_seed(seed)
    data = torch.tensor(ids, dtype=torch.int64)
    bptt = min(bptt, len(ids) - 1)
    if bptt < 1:
        raise CheckpointError(f"training text: expected at least 2 tokens, got {len(ids)}")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    offsets = torch.arange(bptt)
    model.train()
    for step in range(steps):
        starts = torch.randint(0, len(ids) - bptt, (batch,), generator=g)
        index = starts.view(1, -1) + offsets.view(-1, 1)  # (T, B)
        logits, _ = model(data[index])
        loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), data[index + 1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        if clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if log is not None:
            log(step + 1, loss.item())
    model.eval()
    return model


# --------------------------------------------------------------------------- CLI


def _cmd_eval(a):
    model = CharLM.load(a.checkpoint)
    r = perplexity(model, read_text(a.text))
    if a.json:
        print(json.dumps(r))
    else:
        print(f"perplexity {r['perplexity']:.4f} over {r['tokens']} tokens ({r['loss']:.4f} nats per token)")


def _cmd_generate(a):
    model = CharLM.load(a.checkpoint)
    tok = model.tokenizer
    prefix = a.prefix if a.prefix is not None else tok.decode([next(i for i, t in enumerate(tok.tokens) if t != tok.unk)])
    margins = []
    if a.greedy:
        if a.temperature is not None:
            raise CheckpointError("--greedy takes the most likely token: it cannot be combined with --temperature")
        text = greedy(model, prefix, a.length, margins)
    else:
        text = sample(model, prefix, a.length, a.temperature if a.temperature is not None else 1.0, a.seed)
    if a.json:
        out = {"text": text}
        if a.greedy:
            out["minMargin"] = min(margins) if margins else None
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(text)


def _cmd_train(a):
    torch.manual_seed(a.seed)
    tokens = tokenize(read_text(a.text), a.tokens, a.preprocess)
    if a.max_tokens > 0:
        tokens = tokens[: a.max_tokens]
    tok = Tokenizer.build(tokens, a.tokens, a.preprocess, a.min_freq, None if a.no_unk else "<unk>")
    rnn = {"cell": a.cell, "hiddenSize": a.hidden, "numLayers": a.layers, "bidirectional": False,
           "nonlinearity": a.nonlinearity, "resetAfter": a.cell == "gru", "bias": True, "residual": "x",
           "dropout": a.dropout, "forgetBias": 0}
    model = CharLM(tok, rnn, a.embedding)
    ids = tok.encode(tokens, a.text)
    every = max(1, a.steps // 10)

    def log(step, loss):
        if step % every == 0 or step == a.steps:
            print(f"step {step}/{a.steps}  loss {loss:.4f}  perplexity {math.exp(loss):.3f}", file=sys.stderr)

    print(f"{len(ids)} tokens, vocabulary {tok.size}, {sum(p.numel() for p in model.parameters())} parameters",
          file=sys.stderr)
    train(model, ids, a.steps, a.batch, a.bptt, a.lr, a.clip, a.seed, log)
    out = a.out
    if out.endswith(os.sep) or os.path.isdir(out):
        out = os.path.join(out, "checkpoint.safetensors")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    model.save(out)
    print(f"wrote {out}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="charlm.py", description="recur language-model checkpoints in PyTorch")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("eval", help="perplexity of a checkpoint on a text (as `recur eval`)")
    e.add_argument("checkpoint")
    e.add_argument("text", help="a UTF-8 file, or timemachine / tinyshakespeare")
    e.add_argument("--json", action="store_true")
    e.set_defaults(run=_cmd_eval)

    g = sub.add_parser("generate", help="text from a checkpoint (as `recur generate`)")
    g.add_argument("checkpoint")
    g.add_argument("--prefix")
    g.add_argument("--length", type=int, default=200)
    g.add_argument("--greedy", action="store_true", help="argmax at every step (matches recur's --greedy)")
    g.add_argument("--temperature", type=float, help="sample at this temperature (default 1; torch's draws, not recur's)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--json", action="store_true", help='{"text", "minMargin": smallest top1 - top2 logit gap}')
    g.set_defaults(run=_cmd_generate)

    t = sub.add_parser("train", help="train a model in PyTorch and write a checkpoint recur reads")
    t.add_argument("text", help="a UTF-8 file, or timemachine / tinyshakespeare")
    t.add_argument("--out", required=True, help="checkpoint path (or a folder: FOLDER/checkpoint.safetensors)")
    t.add_argument("--tokens", choices=["char", "word"], default="char")
    t.add_argument("--preprocess", choices=["none", "d2l"], default="none")
    t.add_argument("--max-tokens", type=int, default=0, help="use only the first N tokens (0: all)")
    t.add_argument("--min-freq", type=int, default=0, help="rarer tokens become <unk>")
    t.add_argument("--no-unk", action="store_true", help="no <unk> token (text with an unseen token is an error)")
    t.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm", help="gru is PyTorch's (resetAfter)")
    t.add_argument("--nonlinearity", choices=["tanh", "relu"], default="tanh", help="for --cell rnn")
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--layers", type=int, default=1)
    t.add_argument("--embedding", type=int, default=None, help="embedding size (default: one-hot input)")
    t.add_argument("--dropout", type=float, default=0.0)
    t.add_argument("--steps", type=int, default=300, help="optimizer updates (recur's --steps is the BPTT length)")
    t.add_argument("--bptt", type=int, default=35, help="tokens per window (recur's --steps)")
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=0.01)
    t.add_argument("--clip", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(run=_cmd_train)

    a = p.parse_args(argv)
    if a.command == "train" and a.cell != "rnn" and a.nonlinearity != "tanh":
        p.error("--nonlinearity applies to --cell rnn only")
    try:
        a.run(a)
    except CheckpointError as err:
        print(f"charlm.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
