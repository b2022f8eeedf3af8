#!/usr/bin/python3
"""Run recur model files in PyTorch, many in one process (torch's import costs seconds): what
test/torch-interop.test.ts uses, and a quick way to check a file by hand.

    /usr/bin/python3 tools/torch/interop.py JOBS.json

JOBS.json is a list of jobs; each writes its outputs (float64) to "out":

    {"op": "run",  "model": FILE, "input": FILE, "out": FILE [, "loop": true]}
        load the recur file and run it on the input file's tensors
    {"op": "make", "config": {recur.config}, "seed": S, "model": FILE, "input": FILE, "out": FILE [, "loop": true]}
        build the module with PyTorch's initialisation (torch.manual_seed(S)), write it as a recur
        file, read that file back and run it
    {"op": "torch", "config": {recur.config}, "seed": S, "model": FILE, "input": FILE, "out": FILE}
        a plain PyTorch classifier (GruClassifier below, not recur_torch's modules): its state_dict
        written as a recur file of that config (save_state_dict), its own outputs on the input

A job with "error": true must fail with a CheckpointError; its message is written to "out" (text).

The input file holds "x" (floats) or "tokens" (integers), and optionally "lengths" (B) and, for a
stack or a language model, "h0" / "c0". Outputs: a stack "y", "h_n" (and "c_n"); a language model
"logits", "h_n" (and "c_n"); a composed model or a forecaster "y". "loop": every recurrent layer
as recur_torch's loop over time, also where torch.nn.RNN/GRU/LSTM has the cell. Computation is in
float64. A bad job prints one line naming it and exits 1.
"""

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_torch as rt  # noqa: E402


def _inputs(path):
    tensors, _ = rt.read_safetensors(path)
    t = {name: torch.from_numpy(np.array(a)) for name, a in tensors.items()}
    x = t["tokens"].long() if "tokens" in t else t["x"].double()
    lengths = t["lengths"].long() if "lengths" in t else None
    state = None
    if "h0" in t:
        state = (t["h0"].double(), t["c0"].double()) if "c0" in t else t["h0"].double()
    return x, lengths, state


def _state(out, st):
    if isinstance(st, tuple):
        out["h_n"], out["c_n"] = st
    else:
        out["h_n"] = st


@torch.no_grad()
def run(m, input_path):
    """The outputs of module m (made by recur_torch) on an input file, as named tensors."""
    x, lengths, state = _inputs(input_path)
    kind = m.recur_kind
    out = {}
    if kind == "stack":
        out["y"], st = m.run(x, lengths, state)
        _state(out, st)
    elif kind == "lm":
        out["logits"], st = m(x, state, lengths)
        _state(out, st)
    else:
        out["y"] = m(x, lengths)
    return out


class GruClassifier(torch.nn.Module):
    """A PyTorch classifier as one writes it: nn.GRU (2 layers, bidirectional) over packed
    sequences, [h→_n ; h←_n] of the top layer → nn.Linear."""

    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.rnn = torch.nn.GRU(inputs, hidden, num_layers=2, bidirectional=True)
        self.head = torch.nn.Linear(2 * hidden, classes)

    def forward(self, x, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        _, h_n = self.rnn(packed)
        return self.head(torch.cat([h_n[-2], h_n[-1]], dim=-1))


def plain_torch(j):
    """The "torch" job: GruClassifier's weights as a recur file, and its own outputs."""
    torch.manual_seed(int(j.get("seed", 0)))
    layers = j["config"]["root"]["layers"]
    m = GruClassifier(layers[0]["inputSize"], layers[0]["hiddenSize"], layers[1]["outputSize"]).double().eval()
    rt.save_state_dict(m.state_dict(), j["config"], j["model"])
    x, lengths, _ = _inputs(j["input"])
    with torch.no_grad():
        return {"y": m(x, lengths)}


def job(j):
    loop = bool(j.get("loop", False))
    if j["op"] == "torch":
        out = plain_torch(j)
        rt.write_safetensors(j["out"], [(k, v.detach().double().contiguous().numpy()) for k, v in out.items()])
        return
    if j["op"] == "make":
        torch.manual_seed(int(j.get("seed", 0)))
        m = rt.module_from_config(j["config"], "config", loop)
        rt.save_module(m, j["model"])
    elif j["op"] != "run":
        raise rt.CheckpointError(f'expected "op": "run" or "make", got {j["op"]!r}')
    m = rt.load_file(j["model"], torch.float64, loop)
    out = run(m, j["input"])
    rt.write_safetensors(j["out"], [(k, v.detach().double().contiguous().numpy()) for k, v in out.items()])


def main(argv):
    if len(argv) != 1:
        print("usage: interop.py JOBS.json", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    with open(argv[0], encoding="utf-8") as f:
        jobs = json.load(f)
    for i, j in enumerate(jobs):
        try:
            job(j)
            if j.get("error"):
                print(f"interop.py: job {i} ({j.get('model')}): expected an error, got none", file=sys.stderr)
                return 1
        except rt.CheckpointError as e:
            if not j.get("error"):
                print(f"interop.py: job {i} ({j.get('model')}): {e}", file=sys.stderr)
                return 1
            with open(j["out"], "w", encoding="utf-8") as f:
                f.write(str(e))
        except (KeyError, OSError) as e:
            print(f"interop.py: job {i} ({j.get('model')}): {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
