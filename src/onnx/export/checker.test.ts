// ONNX's own checker (onnx.checker.check_model with full_check: the operators' schemas and shape
// inference) on exports that use every operator the exporter writes. ONNX Runtime tolerates some
// things the standard does not; this is the standard's word. Needs /usr/bin/python3 with onnx
// (Debian's python3-onnx); without it the test says so and skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsKernels } from '../../kernels/js/index.js';
import { dropout, embedding, linear, recurrent, reduce } from '../../nn/factories.js';
import { sequential, type Model } from '../../nn/model.js';
import { Rng } from '../../tensor/rng.js';
import { ArModel } from '../../timeseries/ar.js';
import { Forecaster, type ForecasterConfig } from '../../timeseries/forecaster.js';
import { exportOnnx } from './index.js';

const PYTHON = '/usr/bin/python3';
const k = jsKernels('float32');

const CHECK = `
import sys, onnx
bad = []
for f in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(f), full_check=True)
    except Exception as e:
        bad.append(f + ': ' + str(e).splitlines()[0])
print('\\n'.join(bad) if bad else 'all valid')
sys.exit(1 if bad else 0)
`;

function exports(): Record<string, Uint8Array> {
  const m = (layers: Parameters<typeof sequential>[0], inputSize?: number) =>
    sequential(layers, { kernels: k, ...(inputSize === undefined ? {} : { inputSize }) }) as Model<never>;
  const base = (kind: ForecasterConfig['kind'], mCols: number): ForecasterConfig => ({
    kind, target: 'y', exog: Array.from({ length: mCols }, (_, j) => `x${j}`),
    normalization: { log: true, target: { mean: 1, std: 2 }, exog: Array.from({ length: mCols }, () => ({ mean: 0, std: 1 })) },
  });
  return {
    rnn: exportOnnx(m([recurrent({ cell: 'rnn', nonlinearity: 'identity', hiddenSize: 3, numLayers: 2, bidirectional: true }), reduce('last')], 2)),
    gru: exportOnnx(m([embedding({ numEmbeddings: 5, embeddingDim: 3 }), recurrent({ cell: 'gru', hiddenSize: 3, output: 'final' }),
                       linear({ outputSize: 2, activation: 'sigmoid' })]), { batchFirst: true }),
    gruBefore: exportOnnx(m([recurrent({ cell: 'gru', hiddenSize: 3, bias: false }), reduce('mean')], 2), { initialStates: false }),
    lstm: exportOnnx(m([recurrent({ cell: 'lstm', hiddenSize: 3, numLayers: 3 }), dropout(0.2), linear({ outputSize: 2, activation: 'relu' }), reduce('max')], 2)),
    onehot: exportOnnx(m([recurrent({ cell: 'lstm', hiddenSize: 3 }), linear({ outputSize: 4 })], 4), { input: 'tokens', lengths: false }),
    residual: exportOnnx(m([recurrent({ cell: 'residual', residual: 'xh', hiddenSize: 3, bidirectional: true }), linear({ outputSize: 2, activation: 'tanh' })], 2)),
    residualX: exportOnnx(m([recurrent({ cell: 'residual', residual: 'x', nonlinearity: 'relu', hiddenSize: 3 })], 2), { lengths: false, initialStates: false }),
    ar: exportOnnx(new Forecaster(base('ar', 0), new ArModel({ lags: [1, 12], trend: 'c' }, [0.1, 0.5, 0.3]))),
    narx: exportOnnx(Forecaster.createNeural({ ...base('narx', 2), narx: { exogSize: 2, inputDelays: [0, 1], feedbackDelays: [1, 2], hidden: [3] } }, k, new Rng(1))),
    tdnn: exportOnnx(Forecaster.createNeural({ ...base('tdnn', 1), seq: { kind: 'tdnn', exogSize: 1, hidden: 3, layers: 2, delays: 2, window: 6, mode: 'seq2one', burnIn: 0 } }, k, new Rng(2))),
    lstmForecaster: exportOnnx(Forecaster.createNeural({ ...base('lstm', 0), seq: { kind: 'lstm', exogSize: 0, hidden: 3, layers: 2, delays: 0, window: 4, mode: 'seq2seq', burnIn: 1 } }, k, new Rng(3))),
  };
}

test('onnx.checker (full check, shape inference) accepts every kind of export', (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.skip(`${PYTHON} with the onnx package is not here (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}): apt-get install python3-onnx`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'recur-onnx-check-'));
  try {
    const files = Object.entries(exports()).map(([name, bytes]) => {
      const f = join(dir, `${name}.onnx`);
      writeFileSync(f, bytes);
      return f;
    });
    const r = spawnSync(PYTHON, ['-c', CHECK, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /all valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
