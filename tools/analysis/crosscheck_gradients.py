#!/usr/bin/python3
"""Cross-check `recur gradients` against an independent PyTorch computation.

    /usr/bin/python3 tools/analysis/crosscheck_gradients.py [--configs 60] [--seed 1] [--verbose]

(Debian's /usr/bin/python3 has torch and numpy; run `npm run build` first.)

For random configurations (cell, 1-3 layers, one or two directions, H, I, T, B, with or without
bias, h0 and c0, weights at PyTorch's scale or larger), it

  1. builds a random torch.nn.RNN / GRU / LSTM in float64 whose weights are exactly float32 numbers,
  2. saves it in recur's format (state_dict tensors + __metadata__["recur.config"], written by
     tools/fixtures/make_fixtures.py's writer) and a random input x (+ h0, c0),
  3. runs `node bin/recur.js gradients --model M --input X --json`,
  4. recomputes every gradient norm with a step-by-step loop of torch.nn.RNNCell / GRUCell /
     LSTMCell sharing the module's weights (each layer, each direction; the reverse direction walks
     the sequence backwards), with retain_grad() on every state h_k of the top layer's forward
     direction, L = h_{T-1}.sum(), autograd backward, and ‖h_k.grad‖ over batch and units,
  5. compares at every distance: |recur − torch| / |torch|.

Besides PyTorch's own cells it checks two that PyTorch lacks, written as plain torch expressions:
the identity RNN (h = W_ih x + b_ih + W_hh h + b_hh) and the GRU with the reset gate before the
recurrent product (the notes' form). The worst relative error must be ≤ 1e-4; exit status 1 if not.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tools", "fixtures"))
from make_fixtures import write_safetensors  # noqa: E402

TOL = 1e-4
KINDS = ["rnn-tanh", "rnn-relu", "rnn-identity", "gru-after", "gru-before", "lstm"]


def random_config(rng, kind):
    return {
        "kind": kind,
        "L": int(rng.integers(1, 4)),
        "bi": bool(rng.integers(0, 2)),
        "H": int(rng.integers(1, 13)),
        "I": int(rng.integers(1, 7)),
        "T": int(rng.integers(1, 31)),
        "B": int(rng.integers(1, 5)),
        "bias": bool(rng.random() < 0.8),
        "h0": bool(rng.random() < 0.5),
        "c0": bool(rng.random() < 0.5),
        # weights at PyTorch's scale, or larger (gradients that grow rather than vanish)
        "scale": float(rng.choice([1.0, 1.0, 2.0, 3.0])),
    }


def recur_config(c):
    kind = c["kind"]
    cell = kind.split("-")[0]
    cfg = {"cell": cell, "inputSize": c["I"], "hiddenSize": c["H"], "numLayers": c["L"],
           "bidirectional": c["bi"], "bias": c["bias"]}
    if cell == "rnn":
        cfg["nonlinearity"] = kind.split("-")[1]
    if cell == "gru":
        cfg["resetAfter"] = kind == "gru-after"
    return cfg


def torch_module(c):
    cell = c["kind"].split("-")[0]
    kw = dict(input_size=c["I"], hidden_size=c["H"], num_layers=c["L"], bidirectional=c["bi"], bias=c["bias"])
    if cell == "rnn":
        # identity has no nn.RNN nonlinearity: the module only holds the weights here
        m = torch.nn.RNN(nonlinearity="relu" if c["kind"] == "rnn-relu" else "tanh", **kw)
    elif cell == "gru":
        m = torch.nn.GRU(**kw)
    else:
        m = torch.nn.LSTM(**kw)
    m = m.double()
    with torch.no_grad():
        for p in m.parameters():
            # exactly representable in float32, so the file holds the same numbers
            p.mul_(c["scale"]).copy_(p.float().double())
    return m


def step_fn(c, m, layer, suffix):
    """A function (x_t, state) -> state for one layer and direction, sharing the module's weights."""
    kind = c["kind"]
    H = c["H"]
    I = c["I"] if layer == 0 else (2 if c["bi"] else 1) * H
    w_ih = getattr(m, f"weight_ih_l{layer}{suffix}")
    w_hh = getattr(m, f"weight_hh_l{layer}{suffix}")
    b_ih = getattr(m, f"bias_ih_l{layer}{suffix}") if c["bias"] else None
    b_hh = getattr(m, f"bias_hh_l{layer}{suffix}") if c["bias"] else None

    def lin(w, v, b):
        out = v @ w.T
        return out + b if b is not None else out

    if kind in ("rnn-tanh", "rnn-relu", "gru-after", "lstm"):
        cls = {"rnn-tanh": torch.nn.RNNCell, "rnn-relu": torch.nn.RNNCell, "gru-after": torch.nn.GRUCell,
               "lstm": torch.nn.LSTMCell}[kind]
        kw = {"nonlinearity": kind.split("-")[1]} if kind.startswith("rnn") else {}
        cell = cls(I, H, bias=c["bias"], **kw).double()
        # the module's own parameters, so that the cell computes with exactly the same numbers
        cell.weight_ih = w_ih
        cell.weight_hh = w_hh
        if c["bias"]:
            cell.bias_ih = b_ih
            cell.bias_hh = b_hh
        if kind == "lstm":
            return lambda x, s: cell(x, s)
        return lambda x, h: cell(x, h)
    if kind == "rnn-identity":
        return lambda x, h: lin(w_ih, x, b_ih) + lin(w_hh, h, b_hh)
    # gru-before: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
    def gru_before(x, h):
        gi = lin(w_ih, x, b_ih)
        r = torch.sigmoid(gi[:, :H] + lin(w_hh[:H], h, None if b_hh is None else b_hh[:H]))
        z = torch.sigmoid(gi[:, H:2 * H] + lin(w_hh[H:2 * H], h, None if b_hh is None else b_hh[H:2 * H]))
        n = torch.tanh(gi[:, 2 * H:] + lin(w_hh[2 * H:], r * h, None if b_hh is None else b_hh[2 * H:]))
        return z * h + (1 - z) * n
    return gru_before


def reference_norms(c, m, x, h0, c0):
    """‖∂L/∂h_{T-1-d}‖ for L = sum of the top layer's forward h_{T-1}, by a cell loop and autograd."""
    T, B, H, L = c["T"], c["B"], c["H"], c["L"]
    D = 2 if c["bi"] else 1
    lstm = c["kind"] == "lstm"
    inp = x
    top_states = None
    for layer in range(L):
        outs = []
        for d in range(D):
            suffix = "_reverse" if d == 1 else ""
            f = step_fn(c, m, layer, suffix)
            s = layer * D + d
            h = h0[s] if h0 is not None else torch.zeros(B, H, dtype=torch.float64)
            cc = (c0[s] if c0 is not None else torch.zeros(B, H, dtype=torch.float64)) if lstm else None
            hs = [None] * T
            order = range(T) if d == 0 else range(T - 1, -1, -1)
            for t in order:
                if lstm:
                    h, cc = f(inp[t], (h, cc))
                else:
                    h = f(inp[t], h)
                if layer == L - 1 and d == 0:
                    h.retain_grad()
                hs[t] = h
            outs.append(torch.stack(hs))
            if layer == L - 1 and d == 0:
                top_states = hs
        inp = torch.cat(outs, dim=2) if D == 2 else outs[0]
    loss = top_states[T - 1].sum()
    loss.backward()
    norms = []
    for dist in range(T):
        g = top_states[T - 1 - dist].grad
        norms.append(0.0 if g is None else float(torch.linalg.norm(g.reshape(-1))))
    return norms


def run_one(c, seed, tmp, verbose, recur):
    torch.manual_seed(seed)
    m = torch_module(c)
    T, B, I, H, L = c["T"], c["B"], c["I"], c["H"], c["L"]
    D = 2 if c["bi"] else 1
    x = torch.randn(T, B, I, dtype=torch.float64).float().double()
    h0 = torch.randn(L * D, B, H, dtype=torch.float64).float().double() if c["h0"] else None
    lstm = c["kind"] == "lstm"
    c0 = torch.randn(L * D, B, H, dtype=torch.float64).float().double() if lstm and c["c0"] else None

    model_path = os.path.join(tmp, "model.safetensors")
    input_path = os.path.join(tmp, "input.safetensors")
    tensors = [(name, p.detach().float().numpy().copy()) for name, p in m.state_dict().items()]
    write_safetensors(model_path, tensors, {"recur.config": json.dumps(recur_config(c))})
    inputs = [("x", x.float().numpy())]
    if h0 is not None:
        inputs.append(("h0", h0.float().numpy()))
    if c0 is not None:
        inputs.append(("c0", c0.float().numpy()))
    write_safetensors(input_path, inputs)

    proc = subprocess.run([*recur, "gradients", "--model", model_path, "--input", input_path, "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"recur gradients failed on {c}:\n{proc.stderr}")
    ours = json.loads(proc.stdout)
    assert ours["distance"] == list(range(T)), "distance must be 0..T-1"

    ref = reference_norms(c, m, x, h0, c0)
    worst = 0.0
    for d, (a, b) in enumerate(zip(ours["gradNorm"], ref)):
        a = float("nan") if a is None else a
        err = abs(a - b) / abs(b) if b != 0 else (0.0 if a == 0 else math.inf)
        worst = max(worst, err if not math.isnan(err) else math.inf)
    if verbose:
        print(f"{c['kind']:13s} L={L} bi={int(c['bi'])} H={H:2d} I={I} T={T:2d} B={B} bias={int(c['bias'])} "
              f"h0={int(h0 is not None)} c0={int(c0 is not None)} scale={c['scale']}: "
              f"gradNorm[0]={ref[0]:.4g} gradNorm[T-1]={ref[-1]:.4g} worst rel err {worst:.2e}")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--recur", default=f"node {os.path.join(REPO, 'bin', 'recur.js')}",
                    help="the command that runs recur (default: node bin/recur.js of this checkout)")
    args = ap.parse_args()
    recur = args.recur.split()
    rng = np.random.default_rng(args.seed)
    worst = 0.0
    worst_case = None
    per_kind = {k: 0.0 for k in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.configs):
            c = random_config(rng, KINDS[i % len(KINDS)])
            err = run_one(c, args.seed * 100000 + i, tmp, args.verbose, recur)
            per_kind[c["kind"]] = max(per_kind[c["kind"]], err)
            if err >= worst:
                worst, worst_case = err, c
    print(f"{args.configs} random configurations; worst relative error of gradNorm at any distance: {worst:.3e}")
    for k, e in per_kind.items():
        print(f"  {k:13s} worst {e:.3e}")
    print(f"  worst case: {json.dumps(worst_case)}")
    if not worst <= TOL:
        print(f"FAIL: above the tolerance {TOL}")
        return 1
    print(f"OK: within {TOL}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
