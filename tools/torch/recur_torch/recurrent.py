"""recur's recurrent stack (src/layers/recurrent.ts, src/nn/recurrent.ts) as a torch.nn.Module whose
state_dict names are PyTorch's (weight_ih_l0, weight_hh_l0_reverse, ...), for every cell recur has.

Cells PyTorch has (tanh/ReLU RNN, reset-after GRU, LSTM) run on torch.nn.RNN / GRU / LSTM (cuDNN on
a GPU; padded batches as packed sequences). The others run as a loop over time, LoopRecurrent,
with recur's equations (src/cells/*.ts):

    rnn          h_t = f(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),  f = tanh | relu | identity
    gru after    r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
                 n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
    gru before   r, z as above;  n = tanh(W_in x + b_in + W_hn (r ⊙ h_{t-1}) + b_hn)   (the notes, d2l)
    lstm         i, f, g, o = σ, σ, tanh, σ of W_ih x + b_ih + W_hh h + b_hh;  c_t = f ⊙ c + i ⊙ g;  h_t = o ⊙ tanh(c_t)
    residual x   h_t = h_{t-1} + f(W_ih x_t + b_ih)                    (no W_hh, no b_hh)
    residual xh  h_t = h_{t-1} + f(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

With lengths (B), row b is valid at steps t < n_b: there its state updates and y_t = h_t; at a
padded step the state is kept and y_t = 0, so h_n is each row's state at its own last step and the
reverse direction starts at n_b − 1 (PyTorch's packed sequences). Token ids (T, B) as input are
one-hot vectors of size inputSize.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .files import CheckpointError

KEYS = ("cell", "inputSize", "hiddenSize", "numLayers", "bidirectional", "nonlinearity", "resetAfter", "bias",
        "residual", "dropout", "forgetBias")
DEFAULTS = {"numLayers": 1, "bidirectional": False, "nonlinearity": "tanh", "resetAfter": False, "bias": True,
            "residual": "x", "dropout": 0, "forgetBias": 0}
GATES = {"rnn": 1, "residual": 1, "gru": 3, "lstm": 4}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def parse_config(raw, what="rnn"):
    """recur's stack config with its defaults filled in, checked (src/layers/config.ts)."""
    if not isinstance(raw, dict):
        raise CheckpointError(f"{what}: expected a JSON object, got {raw!r}")
    for key in raw:
        if key not in KEYS:
            raise CheckpointError(f'{what}: unknown key "{key}"; expected one of {", ".join(KEYS)}')
    c = dict(DEFAULTS)
    c.update({k: v for k, v in raw.items() if v is not None})
    for key in ("cell", "inputSize", "hiddenSize"):
        if key not in c:
            raise CheckpointError(f'{what}: missing "{key}"')
    if c["cell"] not in GATES:
        raise CheckpointError(f'{what}: "cell" must be one of "rnn", "gru", "lstm", "residual", got {c["cell"]!r}')
    for key in ("inputSize", "hiddenSize", "numLayers"):
        if not (_is_int(c[key]) and c[key] >= 1):
            raise CheckpointError(f'{what}: "{key}" must be a positive integer, got {c[key]!r}')
    for key in ("bidirectional", "resetAfter", "bias"):
        if not isinstance(c[key], bool):
            raise CheckpointError(f'{what}: "{key}" must be true or false, got {c[key]!r}')
    if c["nonlinearity"] not in ("tanh", "relu", "identity"):
        raise CheckpointError(f'{what}: "nonlinearity" must be "tanh", "relu" or "identity", got {c["nonlinearity"]!r}')
    if c["residual"] not in ("x", "xh"):
        raise CheckpointError(f'{what}: "residual" must be "x" or "xh", got {c["residual"]!r}')
    if not (isinstance(c["dropout"], (int, float)) and 0 <= c["dropout"] < 1):
        raise CheckpointError(f'{what}: "dropout" must be a number in [0, 1), got {c["dropout"]!r}')
    if c["cell"] in ("gru", "lstm") and c["nonlinearity"] != "tanh":
        raise CheckpointError(f'{what}: "nonlinearity" applies to "rnn" and "residual" cells only, got {c["nonlinearity"]!r}')
    if c["cell"] != "gru" and c["resetAfter"]:
        raise CheckpointError(f'{what}: "resetAfter" applies to a "gru" only; this is a {c["cell"]}')
    if c["cell"] != "residual" and c["residual"] != "x":
        raise CheckpointError(f'{what}: "residual" applies to a "residual" cell only; this is a {c["cell"]}')
    return c


def native(c):
    """Whether torch.nn.RNN / GRU / LSTM computes this stack."""
    return (c["cell"] == "lstm" or (c["cell"] == "gru" and c["resetAfter"])
            or (c["cell"] == "rnn" and c["nonlinearity"] in ("tanh", "relu")))


def has_recurrent_weight(c):
    return c["cell"] != "residual" or c["residual"] == "xh"


def param_specs(c):
    """[(name, shape)] in recur's order (recurrentParamSpecs)."""
    GH = GATES[c["cell"]] * c["hiddenSize"]
    D = 2 if c["bidirectional"] else 1
    out = []
    for layer in range(c["numLayers"]):
        I = c["inputSize"] if layer == 0 else D * c["hiddenSize"]
        for d in range(D):
            s = f"l{layer}{'_reverse' if d == 1 else ''}"
            out.append((f"weight_ih_{s}", (GH, I)))
            if has_recurrent_weight(c):
                out.append((f"weight_hh_{s}", (GH, c["hiddenSize"])))
            if c["bias"]:
                out.append((f"bias_ih_{s}", (GH,)))
                if has_recurrent_weight(c):
                    out.append((f"bias_hh_{s}", (GH,)))
    return out


class _Stack:
    """What every stack module offers: run (y and the final state), forward (the layer's output),
    the config, and one-hot input for token ids."""

    def _setup(self, c, output):
        self.config = c
        self.output = output
        self.D = 2 if c["bidirectional"] else 1

    def _input(self, x):
        """Token ids (T, B) become one-hot (T, B, I) in the parameters' dtype."""
        if x.dtype in (torch.int32, torch.int64):
            w = self.weight_ih_l0
            return F.one_hot(x.long(), self.config["inputSize"]).to(w.dtype)
        return x

    def forward(self, x, lengths=None, state=None):
        """output "sequence": y (T, B, D·H); "final": [h→_n ; h←_n] of the top layer (B, D·H)."""
        y, st = self.run(x, lengths, state)
        if self.output == "sequence":
            return y
        h = st[0] if isinstance(st, tuple) else st
        L = self.config["numLayers"]
        return torch.cat([h[(L - 1) * self.D + d] for d in range(self.D)], dim=-1)

    def zero_state(self, B, dtype=None, device=None):
        w = self.weight_ih_l0
        shape = (self.config["numLayers"] * self.D, B, self.config["hiddenSize"])
        h = torch.zeros(shape, dtype=dtype or w.dtype, device=device or w.device)
        return (h, h.clone()) if self.config["cell"] == "lstm" else h


class _Native(_Stack):
    def run(self, x, lengths=None, state=None):
        """(y (T, B, D·H), h_n or (h_n, c_n)) on torch's own RNN; a padded batch as packed sequences."""
        x = self._input(x)
        if lengths is None:
            return super(_Stack, self).forward(x, state)
        T = x.shape[0]
        packed = pack_padded_sequence(x, torch.as_tensor(lengths).cpu().long(), enforce_sorted=False)
        y, st = super(_Stack, self).forward(packed, state)
        y, _ = pad_packed_sequence(y, total_length=T)
        return y, st


class NativeRNN(_Native, nn.RNN):
    pass


class NativeGRU(_Native, nn.GRU):
    pass


class NativeLSTM(_Native, nn.LSTM):
    pass


class LoopRecurrent(_Stack, nn.Module):
    """Any cell as a loop over time (recur's equations, module docstring). Parameters initialised
    as PyTorch's, U(−1/√H, 1/√H)."""

    def __init__(self, c, output="sequence"):
        super().__init__()
        self._setup(c, output)
        bound = c["hiddenSize"] ** -0.5
        for name, shape in param_specs(c):
            self.register_parameter(name, nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))

    def _step(self, x_proj, h, cst, s):
        """One step from x_proj = W_ih x_t + b_ih (B, G·H): (h_t, c_t or None)."""
        c = self.config
        H = c["hiddenSize"]
        w_hh = getattr(self, f"weight_hh_{s}", None)
        b_hh = getattr(self, f"bias_hh_{s}", None)
        hw = None if w_hh is None else F.linear(h, w_hh, b_hh)  # W_hh h_{t-1} + b_hh   (B, G·H)
        cell = c["cell"]
        if cell in ("rnn", "residual"):
            # z = W_ih x_t + b_ih (+ W_hh h_{t-1} + b_hh);  rnn: h_t = f(z);  residual: h_t = h_{t-1} + f(z)
            z = x_proj if hw is None else x_proj + hw                                  # (B, H)
            f = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda v: v}[c["nonlinearity"]](z)
            return (h + f if cell == "residual" else f), None
        if cell == "lstm":
            # i, f, g, o = σ, σ, tanh, σ of W_ih x + b_ih + W_hh h + b_hh;  c_t = f ⊙ c + i ⊙ g;  h_t = o ⊙ tanh(c_t)
            i, fg, g, o = (x_proj + hw).chunk(4, dim=-1)                               # 4 × (B, H)
            c_t = torch.sigmoid(fg) * cst + torch.sigmoid(i) * torch.tanh(g)
            return torch.sigmoid(o) * torch.tanh(c_t), c_t
        xr, xz, xn = x_proj.chunk(3, dim=-1)                                           # 3 × (B, H)
        hr, hz, hn = hw.chunk(3, dim=-1)                                               # 3 × (B, H)
        # r = σ(W_ir x + b_ir + W_hr h + b_hr);  z = σ(W_iz x + b_iz + W_hz h + b_hz)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        if c["resetAfter"]:
            # n = tanh(W_in x + b_in + r ⊙ (W_hn h_{t-1} + b_hn))
            n = torch.tanh(xn + r * hn)
        else:
            # n = tanh(W_in x + b_in + W_hn (r ⊙ h_{t-1}) + b_hn)
            n = torch.tanh(xn + F.linear(r * h, w_hh[2 * H:], None if b_hh is None else b_hh[2 * H:]))
        # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
        return (1 - z) * n + z * h, None

    def _direction(self, x, mask, h, cst, s, reverse):
        """One layer-direction over the sequence: y (T, B, H), final h, c."""
        T = x.shape[0]
        x_proj = F.linear(x, getattr(self, f"weight_ih_{s}"), getattr(self, f"bias_ih_{s}", None))
        ys = [None] * T
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            h_new, c_new = self._step(x_proj[t], h, cst, s)
            m = mask[t]  # (B, 1): 1 at valid steps
            h = m * h_new + (1 - m) * h
            if c_new is not None:
                cst = m * c_new + (1 - m) * cst
            ys[t] = m * h_new
        return torch.stack(ys), h, cst

    def run(self, x, lengths=None, state=None):
        """(y (T, B, D·H), h_n or (h_n, c_n)), each (L·D, B, H)."""
        c = self.config
        x = self._input(x)
        T, B = x.shape[0], x.shape[1]
        lstm = c["cell"] == "lstm"
        if state is None:
            state = self.zero_state(B, x.dtype, x.device)
        h0, c0 = state if lstm else (state, None)
        steps = torch.arange(T, device=x.device).view(T, 1)
        n = torch.full((B,), T, device=x.device) if lengths is None else torch.as_tensor(lengths, device=x.device)
        mask = (steps < n.view(1, B)).to(x.dtype).unsqueeze(-1)  # (T, B, 1)
        hs, cs = [], []
        for layer in range(c["numLayers"]):
            outs = []
            for d in range(self.D):
                k = layer * self.D + d
                y, h, cst = self._direction(x, mask, h0[k], c0[k] if lstm else None,
                                            f"l{layer}{'_reverse' if d == 1 else ''}", d == 1)
                outs.append(y)
                hs.append(h)
                cs.append(cst)
            x = torch.cat(outs, dim=-1)
            if layer < c["numLayers"] - 1 and c["dropout"] > 0:
                x = F.dropout(x, c["dropout"], self.training)
        h_n = torch.stack(hs)
        return x, ((h_n, torch.stack(cs)) if lstm else h_n)


def make_recurrent(raw, what="rnn", output="sequence", loop=False):
    """The stack for a recur config (dict): torch's own RNN where it computes the cell (unless
    `loop`), LoopRecurrent otherwise. `output` is the layer's "sequence" or "final"."""
    c = parse_config(raw, what)
    if output not in ("sequence", "final"):
        raise CheckpointError(f'{what}: "output" must be "sequence" or "final", got {output!r}')
    if loop or not native(c):
        return _forget_bias(LoopRecurrent(c, output), c)
    kw = dict(input_size=c["inputSize"], hidden_size=c["hiddenSize"], num_layers=c["numLayers"], bias=c["bias"],
              bidirectional=c["bidirectional"], dropout=float(c["dropout"]) if c["numLayers"] > 1 else 0.0)
    if c["cell"] == "rnn":
        m = NativeRNN(nonlinearity=c["nonlinearity"], **kw)
    elif c["cell"] == "gru":
        m = NativeGRU(**kw)
    else:
        m = NativeLSTM(**kw)
    m._setup(c, output)
    return _forget_bias(m, c)


def _forget_bias(m, c):
    """recur's LSTM option: forgetBias added to the forget gate's b_ih at initialisation."""
    if c["cell"] == "lstm" and c["forgetBias"] and c["bias"]:
        H = c["hiddenSize"]
        with torch.no_grad():
            for name, p in m.named_parameters():
                if name.startswith("bias_ih_"):
                    p[H:2 * H] += c["forgetBias"]
    return m
