// A forecaster file whose config names sizes its tensors cannot have is refused before a model of
// those sizes is allocated (a hand-edited hidden size of 3e9 was a RangeError stack trace).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RecurError } from '../errors.js';
import { parseSafetensors, serializeSafetensors, tensorToFloat64 } from '../format/safetensors.js';
import { jsKernels } from '../kernels/js/index.js';
import { ROOT } from '../../test/helpers.js';
import { loadForecaster } from './model-file.js';

test('sizes in a forecaster config larger than its tensors are a one-line error, before allocating', () => {
  const file = parseSafetensors(readFileSync(`${ROOT}test/fixtures/release-0.1/forecaster-gru-airline.safetensors`), 'gru');
  const config = JSON.parse(file.metadata['recur.config']!) as { seq: Record<string, unknown> };
  const edited = (seq: Record<string, unknown>) => parseSafetensors(serializeSafetensors(
    [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: tensorToFloat64(t, name), dtype: 'F32' as const })),
    { ...file.metadata, 'recur.config': JSON.stringify({ ...config, seq: { ...config.seq, ...seq } }) }), 'edited');
  const k = jsKernels('float32');
  assert.ok(loadForecaster(edited({}), 'unchanged', k));
  for (const [seq, re] of [[{ hidden: 3e9 }, /seq.hidden is 3000000000, but no tensor in the file has a dimension that large/],
                           [{ layers: 100000 }, /seq.layers is 100000, but the file has only \d+ tensors/]] as const) {
    assert.throws(() => loadForecaster(edited(seq), 'edited', k), (e: unknown) => e instanceof RecurError && re.test(e.message));
  }
});
