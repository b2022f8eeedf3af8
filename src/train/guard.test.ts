// train/guard: the one rule for "this run has diverged", at its edges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStep, crossEntropyLimit, DIVERGENCE_FACTOR, MAX_EXP_ARGUMENT, squaredErrorLimit } from './guard.js';

test('a loss that is not finite, or above the limit, or a non-finite gradient has diverged; a healthy step has not', () => {
  const limit = crossEntropyLimit(61); // 10 ln 61 = 41.11
  assert.ok(Math.abs(limit - 10 * Math.log(61)) < 1e-12);
  assert.equal(checkStep(4.1, new Float32Array([0.1, -2, 3]), limit), null);
  assert.equal(checkStep(limit, undefined, limit), null); // at the limit: still healthy
  assert.deepEqual(checkStep(NaN, undefined, limit), { what: 'loss', index: -1, reason: 'the loss is not finite (NaN)' });
  assert.equal(checkStep(Infinity, undefined, Infinity)?.what, 'loss');
  const exploded = checkStep(2.6e9, undefined, limit)!;
  assert.equal(exploded.what, 'loss');
  assert.match(exploded.reason, /the loss 2\.600e\+9 is above 41\.11, 10 times that of a trivial guess/);
  assert.deepEqual(checkStep(1, new Float64Array([0, 1, -Infinity, NaN]), limit), { what: 'gradient', index: 2, reason: 'a gradient is not finite (-Infinity)' });
});

test('the limits: 10 × the trivial guess, and a cross-entropy never above ln(MAX_VALUE), where exp overflows', () => {
  assert.equal(DIVERGENCE_FACTOR, 10);
  assert.equal(squaredErrorLimit(1), 10);
  assert.equal(crossEntropyLimit(1), crossEntropyLimit(2)); // one class counts as two
  assert.equal(crossEntropyLimit(1e300), MAX_EXP_ARGUMENT);
  assert.ok(Number.isFinite(Math.exp(MAX_EXP_ARGUMENT)) && !Number.isFinite(Math.exp(MAX_EXP_ARGUMENT + 1e-9 * MAX_EXP_ARGUMENT)));
});
