// The issue's targets (issue 3), as worded there, each checked from a benchmark run's numbers, and
// the accessors the report shares with them. `check` returns { met, detail } or undefined when a
// number is missing; `blocker` says what stands in the way, printed when a target is not met.
// EDIT HERE if the targets change.

import { GENERATE_ROWS, key, label, row, TRAIN_ROWS, TRAINER_ROWS, VARLEN_ROWS } from './matrix.mjs';

export const fmt = (x) => (x === undefined ? '–' : x >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
export const ratio = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);
export const pct = (a, b) => (a === undefined || b === undefined ? '–' : `${Math.round((100 * a) / b)}%`);

/** Accessors over a run's results (results[id][row] = the best measurement) and runs (every one). */
export function accessors(results, runs) {
  const tps = (id, k) => {
    const r = results[id]?.[k];
    return r && typeof r.tokensPerSecond === 'number' ? r.tokensPerSecond : undefined;
  };
  /** Tokens per CPU-second: the best over the repeats. */
  const tpc = (id, k) => {
    const xs = (runs[id]?.[k] ?? []).map((m) => m.tokensPerCpuSecond).filter((x) => typeof x === 'number');
    return xs.length ? Math.max(...xs) : undefined;
  };
  /** Cores the best run held: CPU-seconds ÷ seconds. */
  const coresHeld = (id, k) => {
    const r = results[id]?.[k];
    return r && typeof r.cpuSeconds === 'number' && r.seconds > 0 ? r.cpuSeconds / r.seconds : undefined;
  };
  const gflopsOf = (id, k) => {
    const r = results[id]?.[k];
    return r && typeof r.gflops === 'number' ? r.gflops : undefined;
  };
  return { tps, tpc, coresHeld, gflopsOf };
}

/** The targets, checked against one run's results. */
export function targets(results, runs) {
  const { tps, tpc, gflopsOf } = accessors(results, runs);
  /** recur id ÷ peer id on the given rows, each ≥ need; `also`: another recur id shown beside; with
   *  `perCpu`, the ratio of tokens per CPU-second beside (1-thread runs: less sensitive to the load). */
  function vsPeer(rows, recurId, peerId, need, also, perCpu = false) {
    const items = rows.map(([k]) => ({ k, a: tps(recurId, k), b: tps(peerId, k), c: also ? tps(also, k) : undefined,
                                       ca: tpc(recurId, k), cb: tpc(peerId, k) }));
    if (items.some((i) => i.a === undefined || i.b === undefined)) return undefined;
    const met = items.every((i) => i.a >= need * i.b);
    const detail = items.map((i) => `${label(row(i.k))} ${ratio(i.a, i.b)}${also && i.c !== undefined ? ` (${also.endsWith('-1') ? '1 thread' : '2 threads'}: ${ratio(i.c, i.b)})` : ''}${perCpu && i.ca !== undefined && i.cb !== undefined ? ` (per CPU-second: ${ratio(i.ca, i.cb)})` : ''}`).join(', ');
    return { met, detail: `${detail}; needs ${need}×` };
  }

  /** The median over repeats of a ÷ b, each repeat's measurements paired (they ran back to back). */
  function medianPairs(keys, a, b, need) {
    const parts = [];
    let met = true;
    for (const k of keys) {
      const xs = runs[a]?.[k] ?? [], ys = runs[b]?.[k] ?? [];
      const ratios = xs.map((x, i) => (x?.tokensPerSecond ?? NaN) / (ys[i]?.tokensPerSecond ?? NaN)).filter(Number.isFinite).sort((p, q) => p - q);
      if (ratios.length === 0) return undefined;
      const m = ratios.length % 2 ? ratios[(ratios.length - 1) / 2] : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
      if (m < need) met = false;
      parts.push(`${label(row(k))} ${m.toFixed(2)}× (repeats: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
    }
    return { met, detail: `${parts.join(', ')}; needs ${need}×` };
  }

  function effective() {
    const parts = [];
    let met = true;
    for (const r of TRAIN_ROWS) for (const t of [1, 2]) {
      const eff = gflopsOf(`recur-${t}`, key(r));
      const mm = gflopsOf(`gemm-${t}`, key(r));
      if (eff === undefined || mm === undefined) return undefined;
      if (eff < 0.75 * mm) met = false;
      parts.push(`${label(r)} ${t}T ${pct(eff, mm)}`);
    }
    return { met, detail: `${parts.join(', ')}; needs 75%` };
  }

  function memoryTarget() {
    const all = ['recur-1', 'recur-2'].flatMap((id) => runs[id]?.['lstm-512'] ?? []).filter((m) => m.memory);
    if (all.length === 0) return undefined;
    // the worst (largest) peak of every LSTM H=512 run, against the formula of that run's model
    const worst = all.reduce((a, b) => (b.memory.rssPeakBytes > a.memory.rssPeakBytes ? b : a));
    const m = worst.memory;
    const model = m.model;
    if (model.activations === null || model.activations === undefined) return undefined;
    const sum = model.parameters + model.gradients + model.optimizer + model.activations;
    const bound = 2 * sum + 100 * 2 ** 20;
    const mb = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
    return {
      met: m.rssPeakBytes <= bound,
      detail: `peak RSS ${mb(m.rssPeakBytes)} (${worst.threads} thread${worst.threads > 1 ? 's' : ''}, the largest of ${all.length} runs; wasm memory ${mb(m.wasmMemoryBytes)}) ≤ 2 × (${mb(model.parameters)} + ${mb(model.gradients)} + ${mb(model.optimizer)} + ${mb(model.activations)}) + 100 MiB = ${mb(bound)}`,
    };
  }

  return [
    {
      id: 'lstm256-1t', text: 'Training, 1 thread: LSTM H=256 ≥ 0.7× PyTorch 1 thread',
      check: () => vsPeer([['lstm-256']], 'recur-1', 'torch-1', 0.7, undefined, true),
      blocker: 'The width of the vectors: PyTorch\'s products run in OpenBLAS with 256-bit AVX2 FMA (8 float32 lanes, "CPU capability usage: AVX2"), WebAssembly SIMD has 128 bits (4 lanes), so recur\'s gemm tops out near 45–50 GFLOP/s at 1 thread on this CPU. The step\'s products already run at that rate (the effective-rate table), the one-hot input projection is a gather and its gradient a scatter-add; what is left besides the products is the per-step σ/tanh of the 4H gates, forward and backward. The per-CPU-second ratio beside the wall-clock one is the comparison with each process on its core.',
    },
    {
      id: 'lstm64-1t', text: 'Training, 1 thread: LSTM H=64 ≥ 1.0× PyTorch 1 thread',
      check: () => vsPeer([['lstm-64']], 'recur-1', 'torch-1', 1, undefined, true),
    },
    {
      id: 'h256-2t', text: 'Training, 2 threads: LSTM, GRU and RNN at H=256 ≥ 1.0× PyTorch with 2 threads',
      check: () => vsPeer([['lstm-256'], ['gru-256'], ['rnn-256']], 'recur-2', 'torch-2', 1),
      blocker: 'A 2-thread run needs both cores, and on this shared machine did not always hold them ("cores held" in the CPU-time table: recur\'s worker polls 50 µs between jobs and then sleeps, PyTorch\'s OpenBLAS threads spin and hold theirs). The recurrence is cut by batch rows, one block per thread (one fork/join per sequence); a worker that is late for its block leaves it to the calling thread, so a call then runs at the 1-thread rate. The RNN row does the least work per step (2·16·256·256 FLOPs per thread), so it loses most to a descheduled worker.',
    },
    {
      id: 'tfjs30', text: '≥ 30× tfjs-wasm on every row (training, each as a user runs it here: recur on its default threads, the 2 cores; tfjs-wasm on the 1 thread it has in Node; recur on 1 thread in brackets)',
      check: () => vsPeer(TRAIN_ROWS.map((r) => [key(r)]), 'recur-2', 'tfjs-wasm', 30, 'recur-1'),
      blocker: 'tfjs-wasm is relatively fastest on the RNN row (its simpleRNN: 1.5× the issue\'s figure here), so 30× there asks recur for more than PyTorch does with 2 threads on the same row. At 1 thread recur already trains at or above the rate of its own gemm on every row (the effective-rate table), so 30× at 1 thread would need a faster matrix multiply than 128-bit WebAssembly SIMD gives on one core of this CPU (about 50 GFLOP/s); at 2 threads the RNN row is the one furthest below its 2-thread gemm rate (the effective-rate table), for the reason given under the 2-thread target.',
    },
    {
      id: 'effective', text: 'Effective rate (counted as in the table: 3× forward matmul FLOPs) ≥ 75% of recur\'s own measured WASM matrix-multiply rate at the same thread count',
      check: () => effective(),
      blocker: 'The effective rate loses what is not a product: σ/tanh of every gate at every step (forward and backward), the loss, and at 2 threads the fork/joins of the products outside the recurrence and any time a thread waits for the other. At small H (LSTM H=64, RNN H=256) those are a larger share of the step.',
    },
    {
      id: 'generate', text: 'Batch-1 generation (one-hot in, forward, softmax, sample, per token) ≥ 3× PyTorch at H=256 (recur 1 thread against PyTorch 1 thread)',
      check: () => vsPeer(GENERATE_ROWS.map((r) => [key(r)]), 'gen-recur-1', 'gen-torch-1', 3, 'gen-recur-2', true),
    },
    {
      id: 'varlen-2t', text: 'Variable-length GRU classifier (2 layers, H=128, B=64, I=32, lengths 20..100), 2 threads: ≥ 1.0× PyTorch with 2 threads (pack_padded_sequence), in real tokens/s',
      check: () => vsPeer(VARLEN_ROWS.map((r) => [key(r)]), 'recur-2', 'torch-2', 1),
    },
    {
      id: 'fit-cost', text: '`fit` costs nothing: the language-model workload through fit within 3% of LmTrainer\'s tokens/s (2 threads, same run), in the median of the interleaved repeats\' fit ÷ LmTrainer ratios (a best-of-repeats ratio follows one lucky run)',
      check: () => medianPairs(TRAINER_ROWS.map((r) => key(r)), 'fit-2', 'lm-trainer-2', 0.97),
    },
    {
      id: 'memory', text: 'Peak memory of LSTM H=512 training ≤ 2× (parameters + gradients + optimizer state + activations) + 100 MB',
      check: () => memoryTarget(),
    },
  ];
}
