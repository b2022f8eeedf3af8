/**
 * @module timeseries/generators
 * The classic synthetic series, seeded (tensor/rng) so that every run sees the same numbers.
 *
 *   sine         x_t = sin(0.01 t) + ε_t, ε ~ N(0, 0.2²), t = 1 … n           (d2l §9.1, n = 1000)
 *   Mackey-Glass dx/dt = β x(t−τ) / (1 + x(t−τ)^p) − γ x(t), τ = 17, β = 0.2, γ = 0.1, p = 10,
 *                RK4 with dt = 0.1, x = 1.2 for t ≤ 0, sampled every 1 time unit after a transient
 *   NARMA-10     y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i=0}^{9} y_{t−i} + 1.5 u_{t−9} u_t + 0.1,
 *                u ~ U[0, 0.5] (Atiya & Parlos 2000; the reservoir-computing benchmark)
 *   Narendra-Li  x1' = (x1 / (1 + x1²) + 1) sin x2
 *                x2' = x2 cos x2 + x1 exp(−(x1² + x2²)/8) + u³ / (1 + u² + 0.5 cos(x1 + x2))
 *                y   = x1 / (1 + 0.5 sin x2) + x2 / (1 + 0.5 sin x1),  u ~ U[−2.5, 2.5]
 *                (Narendra & Li 1996; a second-order nonlinear plant for NARX identification)
 *   plant        y_t = y_{t−1} / (1 + y_{t−1}²) + u_{t−1}³, u ~ U[−1, 1]
 *                (Narendra & Parthasarathy 1990, example 2: the smallest NARX test)
 */
import { RecurError } from '../errors.js';
import { Rng } from '../tensor/rng.js';

/** A synthetic series: its columns, the target's name and the exogenous columns' names. */
export interface Generated {
  /** Columns by name; `y` (or `x` for autonomous series) is the target. */
  columns: Record<string, Float64Array>;
  target: string;
  exog: string[];
}

/** A noisy sine of n points: x_t = sin(0.01 t) + ε_t, ε ~ N(0, 0.2²) (d2l §9.1). */
export function sine(n = 1000, seed = 0): Generated {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(0.01 * (i + 1)) + 0.2 * rng.normal();
  return { columns: { x }, target: 'x', exog: [] };
}

/** The Mackey-Glass chaotic series, n points sampled every time unit (τ = 17 by default). */
export function mackeyGlass(n = 1500, opt: { tau?: number; beta?: number; gamma?: number; power?: number; transient?: number } = {}): Generated {
  const tau = opt.tau ?? 17, beta = opt.beta ?? 0.2, gamma = opt.gamma ?? 0.1, p = opt.power ?? 10;
  const transient = opt.transient ?? 300;
  const dt = 0.1;
  const per = Math.round(1 / dt);           // steps per sample
  const lag = Math.round(tau / dt);         // steps per delay
  const steps = (n + transient) * per;
  const hist = new Float64Array(steps + lag + 1).fill(1.2); // hist[lag + i] = x(i·dt)
  const f = (x: number, xd: number) => (beta * xd) / (1 + xd ** p) - gamma * x;
  for (let i = 0; i < steps; i++) {
    const x = hist[lag + i]!;
    const d0 = hist[i]!, d1 = hist[i + 1]!;   // x(t − τ) and x(t − τ + dt)
    const dh = 0.5 * (d0 + d1);              // x(t − τ + dt/2), linearly
    const k1 = f(x, d0);
    const k2 = f(x + 0.5 * dt * k1, dh);
    const k3 = f(x + 0.5 * dt * k2, dh);
    const k4 = f(x + dt * k3, d1);
    hist[lag + i + 1] = x + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = hist[lag + (transient + i) * per]!;
  return { columns: { x }, target: 'x', exog: [] };
}

/** The NARMA-10 benchmark: the target y and its input u, n points after a washout. */
export function narma10(n = 2000, seed = 0, washout = 200): Generated {
  const rng = new Rng(seed);
  const N = n + washout;
  const u = new Float64Array(N);
  const y = new Float64Array(N);
  for (let t = 0; t < N; t++) u[t] = 0.5 * rng.uniform();
  for (let t = 9; t < N - 1; t++) {
    let s = 0;
    for (let i = 0; i < 10; i++) s += y[t - i]!;
    y[t + 1] = 0.3 * y[t]! + 0.05 * y[t]! * s + 1.5 * u[t - 9]! * u[t]! + 0.1;
    if (!Number.isFinite(y[t + 1]!) || Math.abs(y[t + 1]!) > 1e3) throw new RecurError(`NARMA-10 diverged at step ${t + 1} with seed ${seed}; try another seed`);
  }
  return { columns: { u: u.slice(washout), y: y.slice(washout) }, target: 'y', exog: ['u'] };
}

/** The Narendra-Li nonlinear system: output y driven by input u, n points. */
export function narendraLi(n = 2000, seed = 0): Generated {
  const rng = new Rng(seed);
  const u = new Float64Array(n);
  const y = new Float64Array(n);
  let x1 = 0, x2 = 0;
  for (let t = 0; t < n; t++) {
    u[t] = rng.uniformIn(-2.5, 2.5);
    y[t] = x1 / (1 + 0.5 * Math.sin(x2)) + x2 / (1 + 0.5 * Math.sin(x1));
    const n1 = (x1 / (1 + x1 * x1) + 1) * Math.sin(x2);
    const n2 = x2 * Math.cos(x2) + x1 * Math.exp(-(x1 * x1 + x2 * x2) / 8) + u[t]! ** 3 / (1 + u[t]! ** 2 + 0.5 * Math.cos(x1 + x2));
    x1 = n1; x2 = n2;
  }
  return { columns: { u, y }, target: 'y', exog: ['u'] };
}

export function plant(n = 1000, seed = 0): Generated {
  const rng = new Rng(seed);
  const u = new Float64Array(n);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) u[t] = rng.uniformIn(-1, 1);
  for (let t = 1; t < n; t++) y[t] = y[t - 1]! / (1 + y[t - 1]! ** 2) + u[t - 1]! ** 3;
  return { columns: { u, y }, target: 'y', exog: ['u'] };
}

/** The synthetic series by name, as `recur forecast --data` names them. */
export const GENERATORS = {
  /** See sine. */
  sine: (n?: number, seed?: number) => sine(n, seed),
  /** See mackeyGlass (deterministic: no seed). */
  'mackey-glass': (n?: number) => mackeyGlass(n),
  /** See narma10. */
  narma10: (n?: number, seed?: number) => narma10(n, seed),
  /** See narendraLi. */
  'narendra-li': (n?: number, seed?: number) => narendraLi(n, seed),
} as const;
export type GeneratorName = keyof typeof GENERATORS;
