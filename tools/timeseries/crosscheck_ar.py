#!/usr/bin/env python3
"""Cross-check `recur forecast --model ar` against statsmodels' AutoReg through the command line.

For sunspots, log airline passengers and a handful of seeded series that are not in the repository
(AR processes of several orders, a random walk, white noise, a seasonal series, written to a
temporary CSV), and for every p = 1..12 with trend 'c' and 'n', it runs

    node bin/recur.js forecast --model ar --data FILE.csv --column C --lags P [--trend n] --json

and compares the JSON's "coefficients" (intercept first, then lag 1..p) with
AutoReg(y, lags=p, trend=...).fit().params. Prints the largest relative difference per series and
exits 1 if any exceeds 1e-6. Run after `npm run build`:

    /usr/bin/python3 tools/timeseries/crosscheck_ar.py
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from statsmodels.tsa.ar_model import AutoReg

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
TOL = 1e-6


def column(path, name):
    with open(path, newline='') as f:
        return np.array([float(r[name]) for r in csv.DictReader(f)])


def write_csv(path, name, y):
    with open(path, 'w') as f:
        f.write(f't,{name}\n')
        for i, v in enumerate(y):
            f.write(f'{i},{repr(float(v))}\n')


def series(tmp):
    rng = np.random.default_rng(7)
    out = [('sunspots', os.path.join(ROOT, 'data', 'sunspots.csv'), 'SUNACTIVITY', column(os.path.join(ROOT, 'data', 'sunspots.csv'), 'SUNACTIVITY'))]
    air = np.log(column(os.path.join(ROOT, 'data', 'airline-passengers.csv'), 'Passengers'))
    gen = {'log-airline': air}
    for order, phi in ((1, [0.8]), (2, [1.2, -0.5]), (5, [0.5, -0.2, 0.1, 0.05, -0.1])):
        y = np.zeros(600)
        e = rng.normal(0, 1, 600)
        for t in range(order, 600):
            y[t] = 3.0 + sum(phi[i] * y[t - 1 - i] for i in range(order)) + e[t]
        gen[f'ar{order}'] = y
    gen['random-walk'] = np.cumsum(rng.normal(0, 1, 400))
    gen['white-noise'] = rng.normal(5, 2, 300)
    t = np.arange(240)
    gen['seasonal'] = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 240)
    gen['short'] = rng.normal(0, 1, 40)
    for name, y in gen.items():
        path = os.path.join(tmp, f'{name}.csv')
        write_csv(path, 'value', y)
        out.append((name, path, 'value', y))
    return out


def main():
    worst_all = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, col, y in series(tmp):
            worst = 0.0
            runs = 0
            for trend in ('c', 'n'):
                for p in range(1, 13):
                    if len(y) - p < p + 1:
                        continue
                    ref = AutoReg(y, lags=p, trend=trend, old_names=False).fit().params
                    cmd = ['node', os.path.join(ROOT, 'bin', 'recur.js'), 'forecast', '--model', 'ar', '--data', path,
                           '--column', col, '--lags', str(p), '--trend', trend, '--test', '2', '--json']
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        print(f'{name} p={p} trend={trend}: recur failed: {r.stderr.strip()}')
                        sys.exit(1)
                    got = np.array(json.loads(r.stdout)['coefficients'])
                    rel = np.max(np.abs(got - ref) / np.maximum(np.abs(ref), 1e-300))
                    worst = max(worst, rel)
                    runs += 1
            worst_all = max(worst_all, worst)
            print(f'{name:12s} n={len(y):4d}  {runs:2d} fits  max relative difference {worst:.2e}')
    print(f'largest relative difference over all fits: {worst_all:.2e} (tolerance {TOL:g})')
    sys.exit(0 if worst_all <= TOL else 1)


if __name__ == '__main__':
    main()
