"""recur's composed models (src/nn: "model": "layers", a tree of layer configs) as torch.nn.Modules
whose state_dict names are the file's: a layer's "name" is its attribute (rnn.weight_ih_l0,
head.weight), an unnamed layer in a sequential its index (2.weight), as in nn.Sequential.

Every layer module's forward takes (x, lengths): x a sequence (T, B, F), token ids (T, B), or rows
(B, F); lengths (B) the valid steps of each row, or None. build_layer mirrors src/nn/build.ts: sizes
left out come from the layer before, and module.config is the resolved config recur stores.

    embedding   x_t = E[w_t]                                   (T, B) → (T, B, E)
    recurrent   recurrent.py                                   (T, B, I) or ids → (T, B, D·H) or (B, D·H)
    linear      y = φ(x Wᵀ + b), φ = identity | tanh | relu | σ  (…, I) → (…, O)
    dropout     inverted dropout in training mode
    reduce      over each row's valid steps t < n_b: last x_{n_b−1}, mean (1/n_b) Σ x_t, max_t x_t  → (B, F)
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .files import CheckpointError
from .recurrent import make_recurrent

TYPES = ("recurrent", "embedding", "linear", "dropout", "reduce", "sequential")
ACTIVATIONS = {"identity": lambda v: v, "tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def _only(o, keys, what):
    for k in o:
        if k not in keys:
            raise CheckpointError(f'{what}: unknown key "{k}"; expected one of {", ".join(keys)}')


def _positive(v, what):
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 1):
        raise CheckpointError(f"{what} must be a positive integer, got {v!r}")
    return v


def _named(o, what):
    name = o.get("name")
    if name is not None and (not isinstance(name, str) or name == "" or "." in name):
        raise CheckpointError(f'{what}: "name" must be a non-empty string without dots, got {name!r}')
    return {} if name is None else {"name": name}


class Embedding(nn.Embedding):
    def forward(self, x, lengths=None):
        return super().forward(x.long())


class Linear(nn.Linear):
    def __init__(self, i, o, bias, activation):
        super().__init__(i, o, bias=bias)
        self.activation = activation

    def forward(self, x, lengths=None):
        return ACTIVATIONS[self.activation](super().forward(x))


class Dropout(nn.Dropout):
    def forward(self, x, lengths=None):
        return super().forward(x)


class Reduce(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x, lengths=None):
        T, B = x.shape[0], x.shape[1]
        n = torch.full((B,), T, device=x.device) if lengths is None else torch.as_tensor(lengths, device=x.device).long()
        if self.mode == "last":
            return x[n - 1, torch.arange(B, device=x.device)]
        valid = (torch.arange(T, device=x.device).view(T, 1) < n.view(1, B)).unsqueeze(-1)  # (T, B, 1)
        if self.mode == "mean":
            return (x * valid).sum(0) / n.view(B, 1).to(x.dtype)
        return x.masked_fill(~valid, float("-inf")).max(0).values


class Sequential(nn.Module):
    def __init__(self, layers):
        super().__init__()
        for name, layer in layers:
            self.add_module(name, layer)

    def forward(self, x, lengths=None):
        for layer in self.children():
            x = layer(x, lengths)
        return x


def build_layer(o, input_size=None, what="layer", loop=False):
    """A module from a recur layer config (dict); input_size: the features it receives. Sets
    module.config (resolved, as recur saves it) and module.output_size. `loop`: every recurrent
    layer as LoopRecurrent, even where torch has the cell."""
    if not isinstance(o, dict):
        raise CheckpointError(f"{what}: expected a layer config (a JSON object), got {o!r}")
    t = o.get("type")
    at = f"{what} ({t if isinstance(t, str) else 'no type'})"
    if isinstance(t, str) and t.startswith("custom:"):
        raise CheckpointError(f'{what}: layer type "{t}" is defined in TypeScript (registerLayer) and has no PyTorch form here')
    if t not in TYPES:
        raise CheckpointError(f'{what}: "type" must be one of {", ".join(TYPES)}, got {t!r}')

    def size(key):
        given = o.get(key)
        if given is not None:
            n = _positive(given, f'{at}: "{key}"')
            if input_size is not None and n != input_size:
                raise CheckpointError(f'{at}: "{key}" is {n} but the layer before gives {input_size} features')
            return n
        if input_size is None:
            raise CheckpointError(f'{at}: "{key}" is needed: nothing before this layer says how many features it receives')
        return input_size

    named = _named(o, at)
    if t == "recurrent":
        rest = {k: v for k, v in o.items() if k not in ("type", "name", "output")}
        rest["inputSize"] = size("inputSize")
        m = make_recurrent(rest, at, o.get("output", "sequence"), loop)
        m.config = dict(m.config)
        cfg = {"type": "recurrent", **named, **m.config, "output": m.output}
        out = (2 if m.config["bidirectional"] else 1) * m.config["hiddenSize"]
    elif t == "embedding":
        _only(o, ("type", "name", "numEmbeddings", "embeddingDim"), at)
        V, E = _positive(o.get("numEmbeddings"), f'{at}: "numEmbeddings"'), _positive(o.get("embeddingDim"), f'{at}: "embeddingDim"')
        m, out = Embedding(V, E), E
        cfg = {"type": "embedding", **named, "numEmbeddings": V, "embeddingDim": E}
    elif t == "linear":
        _only(o, ("type", "name", "inputSize", "outputSize", "bias", "activation"), at)
        I, O = size("inputSize"), _positive(o.get("outputSize"), f'{at}: "outputSize"')
        act, bias = o.get("activation", "identity"), o.get("bias", True)
        if act not in ACTIVATIONS:
            raise CheckpointError(f'{at}: "activation" must be one of {", ".join(ACTIVATIONS)}, got {act!r}')
        m, out = Linear(I, O, bias, act), O
        cfg = {"type": "linear", **named, "inputSize": I, "outputSize": O, "bias": bias, "activation": act}
    elif t == "dropout":
        _only(o, ("type", "name", "p"), at)
        p = o.get("p")
        if not (isinstance(p, (int, float)) and 0 <= p < 1):
            raise CheckpointError(f'{at}: "p" must be a number in [0, 1), got {p!r}')
        m, out = Dropout(p), size("inputSize")
        cfg = {"type": "dropout", **named, "p": p}
    elif t == "reduce":
        _only(o, ("type", "name", "mode"), at)
        if o.get("mode") not in ("last", "mean", "max"):
            raise CheckpointError(f'{at}: "mode" must be one of last, mean, max, got {o.get("mode")!r}')
        m, out = Reduce(o["mode"]), size("inputSize")
        cfg = {"type": "reduce", **named, "mode": o["mode"]}
    else:
        m, cfg, out = _sequential(o, input_size, at, named, loop)
    m.config, m.output_size = cfg, out
    return m


def _sequential(o, input_size, at, named, loop):
    _only(o, ("type", "name", "inputSize", "layers"), at)
    layers = o.get("layers")
    if not isinstance(layers, list) or not layers:
        raise CheckpointError(f'{at}: "layers" must be a non-empty array, got {layers!r}')
    first = input_size if o.get("inputSize") is None else _positive(o["inputSize"], f'{at}: "inputSize"')
    built, names, n = [], set(), first
    for i, c in enumerate(layers):
        layer = build_layer(c, n, f"{at} layer {i}", loop)
        name = layer.config.get("name", str(i))
        if name in names:
            raise CheckpointError(f'{at}: two layers are named "{name}"')
        names.add(name)
        built.append((name, layer))
        n = layer.output_size
    cfg = {"type": "sequential", **named, **({} if o.get("inputSize") is None else {"inputSize": first}),
           "layers": [layer.config for _, layer in built]}
    return Sequential(built), cfg, n
