// The vanishing section in the page: W_h scaled to ρ = 0.9 (all 16 eigenvalues inside the unit
// circle, the gradient falling), then the ρ = 1.2 preset (eigenvalues outside, the gradient growing).
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'vanishing-linear': {
      facts(f) {
        assert.ok(Math.abs(Number(f.spectralRadius) - 0.9) < 1e-9, `ρ = ${f.spectralRadius}`);
        assert.equal(f.eigenvalues, 16);
        assert.equal(f.outside, 0);
        assert.ok(Number(f.ratio) < 0.01 && Number(f.rate) < 1, `vanishing: ratio ${f.ratio}, rate ${f.rate}`);
      },
      preset: {
        index: 1, // ρ = 1.2: exploding
        facts(f) {
          assert.ok(Math.abs(Number(f.spectralRadius) - 1.2) < 1e-9, `ρ = ${f.spectralRadius}`);
          assert.ok(Number(f.outside) >= 1);
          assert.ok(Number(f.ratio) > 10 && Number(f.rate) > 1, `exploding: ratio ${f.ratio}, rate ${f.rate}`);
        },
      },
    },
  },
};
