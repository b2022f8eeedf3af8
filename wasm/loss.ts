/**
 * @module wasm/loss
 * Softmax cross-entropy over R rows of logits (R,V) with int32 targets (R):
 *   loss_r = logsumexp(logits_r) − logits_r[y_r],   dlogits_r = scale · (softmax(logits_r) − onehot(y_r))
 * Rows whose target is ignoreIndex add nothing and get a zero gradient. The exponentials run in
 * float32 (vector exp of logit − max, so nothing overflows), their sum and the loss in float64; the
 * target's gradient is −scale · Σ_{v≠y} p_v, which keeps its precision when p_y is close to 1.
 * dLogits may be 0 (loss only). Returns the summed loss.
 */
import { expv } from './math';

export function softmaxCrossEntropy(logits: usize, targets: usize, dLogits: usize, R: i32, V: i32,
                                    ignoreIndex: i32, scale: f64): f64 {
  const rowBytes = <usize>V << 2;
  let total: f64 = 0;
  for (let r = 0; r < R; r++) {
    const l = logits + <usize>r * rowBytes;
    const d = dLogits ? dLogits + <usize>r * rowBytes : 0;
    const y = load<i32>(targets + (<usize>r << 2));
    if (y == ignoreIndex) {
      if (d) memory.fill(d, 0, rowBytes);
      continue;
    }
    // max
    let v = 0;
    let m4 = f32x4.splat(-Infinity);
    for (; v + 4 <= V; v += 4) m4 = f32x4.max(m4, v128.load(l + (<usize>v << 2)));
    let mx = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)),
                 max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
    for (; v < V; v++) mx = max(mx, load<f32>(l + (<usize>v << 2)));
    // Σ e^(l − max) in float64; the exponentials kept in dLogits when it is given
    const mv = f32x4.splat(mx);
    let s2 = f64x2.splat(0);
    v = 0;
    for (; v + 4 <= V; v += 4) {
      const o = <usize>v << 2;
      const e = expv(f32x4.sub(v128.load(l + o), mv));
      if (d) v128.store(d + o, e);
      s2 = f64x2.add(s2, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(v128.shuffle<f32>(e, e, 2, 3, 0, 1))));
    }
    let sum = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    for (; v < V; v++) {
      const o = <usize>v << 2;
      const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(l + o) - mx)), 0);
      if (d) store<f32>(d + o, e);
      sum += <f64>e;
    }
    const ly = <f64>load<f32>(l + (<usize>y << 2));
    total += Math.log(sum) - (ly - <f64>mx);
    if (d) {
      const ey = <f64>load<f32>(d + (<usize>y << 2));
      const k = f32x4.splat(<f32>(scale / sum));
      v = 0;
      for (; v + 4 <= V; v += 4) {
        const o = <usize>v << 2;
        v128.store(d + o, f32x4.mul(v128.load(d + o), k));
      }
      for (; v < V; v++) {
        const o = <usize>v << 2;
        store<f32>(d + o, load<f32>(d + o) * f32x4.extract_lane(k, 0));
      }
      store<f32>(d + (<usize>y << 2), <f32>(-scale * ((sum - ey) / sum)));
    }
  }
  return total;
}
