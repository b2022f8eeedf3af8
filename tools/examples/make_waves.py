#!/usr/bin/env python3
"""The data of examples/gru-classifier.ts: noisy waves of three frequencies, 15..50 steps each.

Class c has angular frequency (0.25, 0.5, 0.8)[c] radians per step, a random phase and amplitude
in [0.5, 1.5], and Gaussian noise of standard deviation 0.3. 600 training and 300 test sequences.
Writes data/waves.json: {"train": {"x": [[...], ...], "y": [...]}, "test": {...}}.
Deterministic (numpy's PCG64 with seed 7); numbers rounded to 4 decimals.
"""
import json
import pathlib

import numpy as np

FREQ = (0.25, 0.5, 0.8)


def split(rng, n):
    xs, ys = [], []
    for _ in range(n):
        c = int(rng.integers(3))
        T = int(rng.integers(15, 51))
        t = np.arange(T)
        x = rng.uniform(0.5, 1.5) * np.sin(FREQ[c] * t + rng.uniform(0, 2 * np.pi)) + rng.normal(0, 0.3, T)
        xs.append([round(float(v), 4) for v in x])
        ys.append(c)
    return {"x": xs, "y": ys}


def main():
    rng = np.random.default_rng(7)
    data = {"about": __doc__.strip().splitlines()[0], "train": split(rng, 600), "test": split(rng, 300)}
    out = pathlib.Path(__file__).resolve().parents[2] / "data" / "waves.json"
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
