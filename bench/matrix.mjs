// The benchmark matrix shared by bench/run.mjs (which measures it) and bench/report.mjs (which
// writes it up): the rows, how they are named, and the peers' figures the issue quotes.

export const TRAIN_ROWS = [
  { cell: 'lstm', hidden: 64 }, { cell: 'lstm', hidden: 256 }, { cell: 'lstm', hidden: 512 },
  { cell: 'gru', hidden: 256 }, { cell: 'rnn', hidden: 256 },
];
export const GENERATE_ROWS = [{ cell: 'lstm', hidden: 256 }, { cell: 'gru', hidden: 256 }, { cell: 'rnn', hidden: 256 }];
// The variable-length classifier (`recur bench --mode classify`, src/models/bench-classify.ts): a
// 2-layer GRU H = 128, B = 64, I = 32 inputs, lengths uniform in 20..100 (seeded), the last valid
// state → linear head → 4 classes, cross-entropy, SGD; PyTorch with pack_padded_sequence. Real tokens/s.
export const VARLEN_ROWS = [{ cell: 'gru', hidden: 128, varlen: true }];
// The language-model workload trained by LmTrainer and by fit on the same model composed from layers
// (`recur bench --mode lm-trainer | fit`, src/models/bench-trainers.ts): what fit's generality costs.
export const TRAINER_ROWS = [{ cell: 'lstm', hidden: 256, trainers: true }];
export const label = (r) => (r.varlen ? `variable-length ${r.cell.toUpperCase()} classifier H=${r.hidden}`
  : r.trainers ? `language model, ${r.cell.toUpperCase()} H=${r.hidden}` : `${r.cell.toUpperCase()} H=${r.hidden}`);
export const key = (r) => `${r.cell}-${r.hidden}${r.varlen ? '-varlen' : ''}${r.trainers ? '-trainers' : ''}`;
export const row = (k) => [...TRAIN_ROWS, ...GENERATE_ROWS, ...VARLEN_ROWS, ...TRAINER_ROWS].find((r) => key(r) === k);

// Peer figures measured on this kind of machine, quoted by the issue (training tokens/s).
export const ISSUE_PEERS = {
  'torch-1': { 'lstm-64': 148e3, 'lstm-256': 29e3, 'lstm-512': 7.5e3, 'gru-256': 36e3, 'rnn-256': 98e3 },
  'torch-2': { 'lstm-64': 134e3, 'lstm-256': 34e3, 'lstm-512': 9.5e3, 'gru-256': 26e3, 'rnn-256': 110e3 },
  'tfjs-wasm': { 'lstm-64': 9.2e3, 'lstm-256': 750, 'lstm-512': 190, 'gru-256': 1.2e3, 'rnn-256': 3.5e3 },
  'tfjs-cpu': { 'lstm-64': 1.5e3, 'lstm-256': 230, 'lstm-512': 84, 'gru-256': 170, 'rnn-256': 940 },
};
