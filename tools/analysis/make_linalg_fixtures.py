#!/usr/bin/python3
"""Reference eigenvalues and singular values for src/analysis/linalg.ts, from numpy (LAPACK).

    /usr/bin/python3 tools/analysis/make_linalg_fixtures.py     # writes src/analysis/testdata/linalg.json

Each case: a square matrix (row-major), numpy's eigenvalues (sorted by real part, then imaginary),
its spectral radius, its singular values (descending) and, for symmetric cases, eigvalsh.
Deterministic: a fixed numpy seed.
"""
import json
import os

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "src", "analysis", "testdata", "linalg.json")


def case(name, a, symmetric=False):
    a = np.asarray(a, dtype=np.float64)
    n = a.shape[0]
    ev = np.linalg.eigvals(a)
    ev = sorted(ev, key=lambda z: (round(z.real, 9), round(z.imag, 9)))
    out = {
        "name": name,
        "n": n,
        "a": [float(v) for v in a.reshape(-1)],
        "eigRe": [float(z.real) for z in ev],
        "eigIm": [float(z.imag) for z in ev],
        "spectralRadius": float(max(abs(z) for z in ev)),
        "singular": [float(s) for s in np.linalg.svd(a, compute_uv=False)],
    }
    if symmetric:
        out["eigh"] = [float(v) for v in np.linalg.eigvalsh(a)]
    return out


def main():
    rng = np.random.default_rng(20240611)
    cases = []
    for n in [1, 2, 3, 4, 5, 8, 13, 16, 33]:
        cases.append(case(f"gaussian-{n}", rng.standard_normal((n, n)) / np.sqrt(n)))
    for n in [6, 20]:
        h = 1 / np.sqrt(n)
        cases.append(case(f"uniform-torch-init-{n}", rng.uniform(-h, h, (n, n))))
    th = 0.7
    cases.append(case("rotation", [[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]))
    cases.append(case("defective-jordan-2", [[1.0, 1.0], [0.0, 1.0]]))
    cases.append(case("defective-jordan-4", np.eye(4) * 0.9 + np.eye(4, k=1)))
    cases.append(case("nilpotent", np.eye(5, k=1)))
    cases.append(case("zero-3", np.zeros((3, 3))))
    cases.append(case("identity-4", np.eye(4)))
    cases.append(case("scalar", [[-2.5]]))
    cases.append(case("companion-x4-1", np.roll(np.eye(4), 1, axis=0)))  # cyclic permutation: 4th roots of 1
    cases.append(case("upper-triangular", np.triu(rng.standard_normal((6, 6)))))
    d = np.diag([1e-4, 1e-2, 1.0, 1e2, 1e4])
    b = rng.standard_normal((5, 5))
    cases.append(case("badly-scaled", d @ b @ np.linalg.inv(d)))
    s = rng.standard_normal((12, 12))
    cases.append(case("symmetric-12", (s + s.T) / 2, symmetric=True))
    s = rng.standard_normal((30, 30))
    cases.append(case("symmetric-30", s @ s.T, symmetric=True))
    cases.append(case("symmetric-repeated", np.diag([2.0, 2.0, 2.0, -1.0, 0.0]), symmetric=True))
    q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    cases.append(case("orthogonal-10", q))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/analysis/make_linalg_fixtures.py", "numpy": np.__version__, "cases": cases}, f)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, REPO)}")


if __name__ == "__main__":
    main()
