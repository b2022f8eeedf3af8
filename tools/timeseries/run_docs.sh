#!/usr/bin/env bash
# Re-runs every command of docs/forecasting.md and writes its outputs: the JSON of each run under
# out/forecast-docs/ (not committed) and the charts under docs/img/forecast-*.svg.
# Run from the repository root after `npm run build`:  bash tools/timeseries/run_docs.sh
set -euo pipefail
OUT=out/forecast-docs
mkdir -p "$OUT" docs/img
r() { local name=$1; shift; echo "recur forecast $*" >&2; node bin/recur.js forecast "$@" --backend "${BACKEND:-wasm-relaxed-simd}" --json > "$OUT/$name.json"; }

# 1. AR against statsmodels (prints the largest relative difference per series)
/usr/bin/python3 tools/timeseries/crosscheck_ar.py | tee "$OUT/crosscheck.txt"

# 2. airline passengers, last 24 months held out: every model against both baselines
r airline-ar13      --log --lags 13 --plot docs/img/forecast-airline-ar.svg
r airline-ar-aic    --log
r airline-ar13-raw  --lags 13
r airline-narx      --model narx --log --plot docs/img/forecast-airline-narx.svg
r airline-tdnn      --model tdnn --log
r airline-rnn       --model rnn --log
r airline-gru       --model gru --log
r airline-lstm      --model lstm --log

# 3. d2l's k-step experiment on the noisy sine
r sine-kstep-narx   --data sine --model narx --feedback-delays 4 --hidden 10 --test 400 --val 100 --kstep 1,4,16,64 --plot docs/img/forecast-sine-kstep.svg
r sine-kstep-ar     --data sine --model ar --lags 4 --test 400 --val 100 --kstep 1,4,16,64

# 4. NARMA-10: one step ahead (open loop) and free run (closed loop)
r narma10-narx      --data narma10 --length 6000 --model narx --input-delays 10 --feedback-delays 10 --hidden 32 --plot docs/img/forecast-narma10-narx.svg --plot-last 200
r narma10-lstm      --data narma10 --length 6000 --model lstm --hidden 32 --window 32 --epochs 60 --plot docs/img/forecast-narma10-lstm.svg --plot-last 200
r narma10-ar        --data narma10 --length 6000 --model ar --lags 10

# 5. sunspots: AR(9), the order AIC and BIC choose (statsmodels' ar_select_order agrees)
r sunspots-ar9      --data sunspots --lags 9 --plot docs/img/forecast-sunspots-ar.svg
