#!/bin/bash
# The four experiments of docs/gradients.md: every command as the docs show it. Charts go to
# docs/img/, the JSON behind the numbers to $OUT (default /tmp/recur-experiments).
#
#   npm run build && tools/analysis/run_experiments.sh [1 2 3 4]     # all four by default
#
# Experiments 1 and 2 take seconds; 3 about half a minute; 4 about 30 minutes on one core
# (training runs, wasm kernels). Training numbers depend on the backend's rounding: the docs' come
# from --backend auto = wasm-relaxed-simd on Node 20, x86-64.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/recur-experiments}
mkdir -p "$OUT" docs/img
# RECUR: how to run recur (default: this checkout's bin/recur.js)
# the backend the numbers in docs/gradients.md were measured on; another rounds differently
recur() { ${RECUR:-node bin/recur.js} "$@" --backend "${BACKEND:-wasm-relaxed-simd}"; }
want() { [ $# -eq 0 ] && return 0; for e in "${SELECTED[@]}"; do [ "$e" = "$1" ] && return 0; done; return 1; }
SELECTED=("$@")
[ ${#SELECTED[@]} -eq 0 ] && SELECTED=(1 2 3 4)

if want 1; then
  echo "== 1. linear RNN, rho = 0.9 and 1.1"
  recur gradients --cell rnn --activation identity --whh orthogonal --radius 0.9,1.1 --hidden 32 --steps 100 --batch 4 \
    --plot docs/img/linear-rnn-orthogonal.svg --json > "$OUT/exp1-orthogonal.json"
  recur gradients --cell rnn --activation identity --whh uniform --radius 0.9,1.1 --hidden 32 --steps 100 --batch 4 \
    --plot docs/img/linear-rnn-uniform.svg --json > "$OUT/exp1-uniform.json"
fi

if want 2; then
  echo "== 2. every cell at T = 100, default init"
  recur gradients --cell rnn,gru,gru-after,lstm,residual,residual-xh --hidden 32 --steps 100 --batch 4 \
    --plot docs/img/cells-T100.svg --json > "$OUT/exp2.json"
  recur gradients --cell lstm --forget-bias 1 --hidden 32 --steps 100 --batch 4 --json > "$OUT/exp2-lstm-forget-bias.json"
  recur gradients --cell rnn,lstm --hidden 32 --steps 100 --batch 4 --heatmap docs/img/heatmap-rnn-lstm.svg > /dev/null
  for seed in 1 2 3 4; do
    recur gradients --cell rnn,gru,gru-after,lstm,residual,residual-xh --hidden 32 --steps 100 --batch 4 --seed $seed \
      --json > "$OUT/exp2-seed$seed.json"
  done
fi

if want 3; then
  echo "== 3. clipping"
  recur gradients --cell rnn --activation relu --whh identity --radius 1.1 --hidden 64 --input-size 2 --steps 50 --batch 4 \
    --json > "$OUT/exp3-gradients.json"
  recur task adding --cell rnn --activation relu --whh identity --radius 1.1 --steps 50 --hidden 64 --lr 0.001 \
    --clip 1,0 --budget 5000 --eval-every 100 --keep-going --plot docs/img/clipping-adam.svg --json > "$OUT/exp3-adam.jsonl"
  recur task adding --cell rnn --activation relu --whh identity --radius 1.1 --steps 50 --hidden 64 --optimizer sgd --lr 0.01 \
    --clip 1,0 --budget 5000 --eval-every 100 --keep-going --plot docs/img/clipping-sgd.svg --json > "$OUT/exp3-sgd.jsonl"
fi

if want 4; then
  echo "== 4. adding problem at T = 50, 100, 200"
  for T in ${TS:-50 100 200}; do
    recur task adding --cell rnn,gru,gru-after,lstm,residual,residual-xh --steps $T --hidden 64 --batch 32 --lr 0.01 \
      --budget 5000 --eval-every 100 --plot docs/img/adding-T$T.svg --json > "$OUT/exp4-T$T.jsonl"
    recur task adding --cell rnn --activation relu --whh identity --steps $T --hidden 64 --batch 32 --lr 0.001 \
      --budget 5000 --eval-every 100 --json > "$OUT/exp4-irnn-T$T.jsonl"
    # the same budget at the smaller learning rate, for every cell
    recur task adding --cell rnn,gru,gru-after,lstm,residual,residual-xh --steps $T --hidden 64 --batch 32 --lr 0.001 \
      --budget 5000 --eval-every 100 --json > "$OUT/exp4-lr0.001-T$T.jsonl"
  done
fi
echo "done: charts in docs/img, numbers in $OUT"
