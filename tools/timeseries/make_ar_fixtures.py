#!/usr/bin/env python3
"""Reference values for recur's AR model from statsmodels' AutoReg (conditional least squares).

Writes src/timeseries/testdata/ar-statsmodels.json, which src/timeseries/ar.test.ts compares against:
  - sunspots (data/sunspots.csv, SUNACTIVITY), AR(p) for p = 1..12, trend 'c' and 'n':
    params (intercept first, then lag 1..p), sigma2, llf, aic, bic, hqic, nobs
  - sunspots with the lag list [1, 2, 9] (statsmodels sorts a list; this one is sorted already)
  - log airline passengers, AR(13) trend 'c', with fitted values and a 24-step dynamic forecast
  - a seeded synthetic AR(3) series (its values are stored too), lags 1..5, both trends
  - ar_select_order(maxlag=13, glob=False) for aic / bic / hqic on all three series, trends 'c' and 'n':
    the order chosen and every candidate's AIC, BIC and HQIC (order 0 included)

Run with Debian's python3-statsmodels:  /usr/bin/python3 tools/timeseries/make_ar_fixtures.py
"""
import csv
import json
import os

import numpy as np
import statsmodels
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))


def column(path, name):
    with open(os.path.join(ROOT, path), newline='') as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r[name]) for r in rows])


def fit(y, lags, trend):
    r = AutoReg(y, lags=lags, trend=trend, old_names=False).fit()
    return {
        'lags': lags if isinstance(lags, list) else list(range(1, lags + 1)),
        'trend': trend,
        'params': [float(v) for v in r.params],
        'sigma2': float(r.sigma2), 'llf': float(r.llf), 'aic': float(r.aic), 'bic': float(r.bic),
        'hqic': float(r.hqic), 'nobs': int(r.nobs),
    }, r


def main():
    sun = column('data/sunspots.csv', 'SUNACTIVITY')
    air = np.log(column('data/airline-passengers.csv', 'Passengers'))
    rng = np.random.default_rng(20240611)
    syn = np.zeros(400)
    e = rng.normal(0, 1.0, 400)
    for t in range(3, 400):
        syn[t] = 2.0 + 0.6 * syn[t - 1] - 0.25 * syn[t - 2] + 0.1 * syn[t - 3] + e[t]

    out = {'statsmodels': statsmodels.__version__, 'numpy': np.__version__, 'sunspots': [], 'synthetic': {'values': [float(v) for v in syn], 'fits': []}}
    for trend in ('c', 'n'):
        for p in range(1, 13):
            out['sunspots'].append(fit(sun, p, trend)[0])
        out['sunspots'].append(fit(sun, [1, 2, 9], trend)[0])
        out['synthetic']['fits'].append(fit(syn, 5, trend)[0])
    a, r = fit(air, 13, 'c')
    n = len(air)
    a['fitted'] = [float(v) for v in r.fittedvalues]
    a['forecast'] = [float(v) for v in r.predict(start=n, end=n + 23, dynamic=True)]
    out['airlineLog'] = a
    sel = []
    for series, y in (('sunspots', sun), ('synthetic', syn), ('airlineLog', air)):
        for trend in ('c', 'n'):
            for ic in ('aic', 'bic', 'hqic'):
                s = ar_select_order(y, maxlag=13, ic=ic, glob=False, trend=trend, old_names=False)
                lags = s.ar_lags
                # every candidate's criteria (keys: 0, or the tuple of lags 1..p), by order p
                order_of = lambda key: 0 if key == 0 else len(key)
                table = [{'order': order_of(key), 'aic': float(s.aic[key]), 'bic': float(s.bic[key]), 'hqic': float(s.hqic[key])}
                         for key in s.aic]
                sel.append({'series': series, 'trend': trend, 'ic': ic, 'maxLag': 13,
                            'order': 0 if lags is None or len(lags) == 0 else int(max(lags)),
                            'table': sorted(table, key=lambda r: r['order'])})
    out['selectOrder'] = sel
    dest = os.path.join(ROOT, 'src', 'timeseries', 'testdata', 'ar-statsmodels.json')
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print(f'wrote {dest}')


if __name__ == '__main__':
    main()
