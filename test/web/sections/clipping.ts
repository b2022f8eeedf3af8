// The clipping section in the page: the exploding default (ρ = 1.5, SGD η = 0.1) diverges within a
// few steps without clipping and learns with θ = 1; with ρ = 0.9 (preset 0) nothing explodes, and
// with η = 0.01 (preset 1) both survive.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'clipping-run': {
      facts(f) {
        assert.equal(f.theta, 1);
        assert.ok(typeof f.offDiverged === 'number' && f.offDiverged <= 10, `unclipped diverged at ${f.offDiverged}`);
        assert.equal(f.onDiverged, null);
        assert.equal(f.onSteps, 150);
        assert.ok(Number(f.offMaxNorm) > 10, `largest unclipped ‖g‖ ${f.offMaxNorm}`);
        assert.ok(Number(f.onMaxClipped) <= 1 + 1e-5, `after clipping ‖g‖ ≤ θ: ${f.onMaxClipped}`);
        assert.ok(Number(f.clippedSteps) >= 1 && Number(f.clippedSteps) < 150, `clipped steps ${f.clippedSteps}`);
        assert.ok(Number(f.onFinalVal) < Number(f.baseline), `clipped: validation ${f.onFinalVal} vs baseline ${f.baseline}`);
      },
      preset: {
        index: 1, // η = 0.01
        facts(f) {
          assert.equal(f.offDiverged, null);
          assert.equal(f.onDiverged, null);
          assert.equal(f.offSteps, 150);
        },
      },
    },
  },
};
