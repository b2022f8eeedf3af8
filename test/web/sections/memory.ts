// The memory section in the page: AR on airline passengers by default (AR(14) by AIC; the open
// loop beats the seasonal-naive baseline; the free run falls apart at h = 5 of 24), then AR on
// sunspots (period 11, 62 test years, falls apart at h = 14). The numbers are test/web/memory-cli's.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'memory-loops': {
      facts(f) {
        assert.equal(f.data, 'airline');
        assert.equal(f.model, 'ar');
        assert.equal(f.testSize, 24);
        assert.equal(f.seasonalPeriod, 12);
        assert.ok(Math.abs(Number(f.openRmse) - 17.5975) < 1e-3, `open RMSE ${f.openRmse} (recur forecast: 17.5975)`);
        assert.ok(Math.abs(Number(f.closedRmse) - 55.7386) < 1e-3, `closed RMSE ${f.closedRmse} (recur forecast: 55.7386)`);
        assert.ok(Number(f.openRmse) < Number(f.seasonalNaiveOpenRmse), 'one step ahead, AR beats seasonal naive');
        assert.equal(f.breakdown, 5);
      },
      preset: {
        index: 0, // AR on sunspots
        facts(f) {
          assert.equal(f.data, 'sunspots');
          assert.equal(f.seasonalPeriod, 11);
          assert.equal(f.testSize, 62);
          assert.equal(f.breakdown, 14);
          assert.ok(Number(f.openRmse) < Number(f.closedRmse));
        },
      },
    },
  },
};
