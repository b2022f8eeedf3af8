/**
 * @module layers/params
 * All parameters of a model live in one flat buffer, with a named view per tensor; gradients mirror
 * it. An optimizer step is then one loop over a flat array, and a checkpoint is a list of views.
 * Names are PyTorch's `state_dict` keys, so nothing needs a translation table.
 */
import { formatShape, RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';

/** A parameter tensor's name (PyTorch's, e.g. `weight_ih_l0`) and shape. */
export interface ParamSpec {
  readonly name: string;             // PyTorch's name, e.g. weight_ih_l0
  readonly shape: readonly number[]; // e.g. [3H, I]
}

/**
 * A parameter tensor in a ParamSet: its `data` and `grad` are views into the set's flat buffers at
 * `offset`, `size` elements long.
 */
export interface Param extends ParamSpec {
  readonly offset: number;   // where it starts in ParamSet.data and .grad
  readonly size: number;     // elements: the product of shape
  readonly data: FloatArray; // view into ParamSet.data
  readonly grad: FloatArray; // view into ParamSet.grad
}

/**
 * All parameters of a model in one flat buffer (`data`, gradients in `grad`, both from the kernels'
 * alloc), with a named view per tensor, so that an optimizer step is one loop.
 */
export class ParamSet {
  readonly data: FloatArray;       // every parameter, in list order
  readonly grad: FloatArray;       // their gradients, same layout (backward accumulates here)
  readonly list: readonly Param[]; // the tensors, in the order of the specs
  private readonly byName = new Map<string, Param>();

  constructor(k: Kernels, specs: readonly ParamSpec[]) {
    let total = 0;
    for (const s of specs) total += s.shape.reduce((a, b) => a * b, 1);
    this.data = k.alloc(total);
    this.grad = k.alloc(total);
    const list: Param[] = [];
    let offset = 0;
    for (const s of specs) {
      if (this.byName.has(s.name)) throw new Error(`duplicate parameter name ${s.name}`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const p: Param = {
        name: s.name, shape: [...s.shape], offset, size,
        data: this.data.subarray(offset, offset + size), grad: this.grad.subarray(offset, offset + size),
      };
      list.push(p);
      this.byName.set(s.name, p);
      offset += size;
    }
    this.list = list;
  }

  /** Whether a parameter of this name exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The parameter of this name; a RecurError naming the parameters there are when there is none.
   */
  get(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new RecurError(`no parameter named "${name}"; the model has ${this.list.map((q) => q.name).join(', ')}`);
    return p;
  }

  /** Set every gradient to zero (backward passes accumulate into `grad`). */
  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** Copy named tensors in, checking that every parameter is given once with its exact shape. */
  load(tensors: ReadonlyMap<string, { shape: readonly number[]; values: ArrayLike<number> }>, what: string): void {
    for (const p of this.list) {
      const t = tensors.get(p.name);
      if (!t) throw new RecurError(`${what}: missing tensor "${p.name}" ${formatShape(p.shape)}`);
      if (t.shape.length !== p.shape.length || t.shape.some((n, i) => n !== p.shape[i])) {
        throw new RecurError(`${what}: tensor "${p.name}": expected shape ${formatShape(p.shape)}, got ${formatShape(t.shape)}`);
      }
      for (let i = 0; i < p.size; i++) {
        const v = t.values[i]!;
        if (!Number.isFinite(v)) throw new RecurError(`${what}: tensor "${p.name}": expected finite values, got ${v} at index ${i}`);
        p.data[i] = v;
      }
    }
  }
}
