// Mutations of valid input files for the CLI fuzz test (test/cli-fuzz.test.ts), as fast-check
// arbitraries: each draws one way of breaking a file (a byte, a JSON field, a number turned into NaN,
// Infinity, a huge, negative or fractional value, a truncation) and applies it to the valid bytes.
import fc from 'fast-check';

/** A mutation: a description for the report and the bytes it makes from the valid file. */
export interface Mutation { what: string; apply(valid: Uint8Array): Uint8Array }

const utf8 = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Replacements for a number, as JSON text: some are not JSON at all (NaN), 1e400 parses as Infinity. */
const NUMBER_TEXTS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '1e308', '-1e308', '1e20', '9007199254740993', '4294967296',
                      '2147483648', '-1', '-0', '0', '0.5', '1.5', '-2.5', '1e-320', 'null', '"7"', '[]', '{}', 'true', '""'];
/** Replacements for any JSON value. */
const VALUE_TEXTS = [...NUMBER_TEXTS, '"lstm"', '"x"', '[1,2]', '[-1]', '[0.5]', '{"a":1}', 'false'];
/** Replacements for a number in a CSV cell or a text. */
const CELL_TEXTS = ['NaN', 'nan', 'inf', '-inf', 'Infinity', '-Infinity', '1e400', '-1e400', '1e308', '-1e308', '1e20', '-5', '-0', '0',
                    '0.5', '1.5', '1e-320', '', ' ', 'abc', '"3"', '0x10', ' 7 ', '1,5', '"', '""', '1e', '--1', '+3', '٣'];

/** Every path in a JSON value (the root excluded): object keys and array indices. */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([...prefix, i]); paths(x, [...prefix, i], out); });
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) { out.push([...prefix, k]); paths(x, [...prefix, k], out); }
  }
  return out;
}

/** Serialise `root` with the value at `path` replaced by raw JSON-ish `raw` (or removed). */
function replaceAt(root: unknown, path: (string | number)[], raw: string | undefined): string {
  const marker = '__recur_fuzz_marker__';
  const copy = JSON.parse(JSON.stringify(root)) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (raw === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return JSON.stringify(copy);
  }
  parent[last] = marker;
  return JSON.stringify(copy).replace(`"${marker}"`, raw);
}

/** A mutation of one field of a JSON text: replaced by a special value, scaled, or removed. */
export function jsonFieldMutation(): fc.Arbitrary<{ what: string; apply(json: string): string }> {
  return fc.record({ pick: fc.nat(), kind: fc.constantFrom('value', 'number', 'remove', 'scale'), raw: fc.constantFrom(...VALUE_TEXTS),
                     num: fc.constantFrom(...NUMBER_TEXTS), factor: fc.constantFrom(-1, 0.5, 1.5, 1000, 1e9, 1e-9) }).map((m) => ({
    what: `${m.kind} ${m.kind === 'value' ? m.raw : m.kind === 'number' ? m.num : m.kind === 'scale' ? `×${m.factor}` : ''}`,
    base: `${m.kind} ${m.kind === 'value' ? m.raw : m.kind === 'number' ? m.num : m.kind === 'scale' ? `×${m.factor}` : ''}`,
    apply(json: string): string {
      const root = JSON.parse(json) as unknown;
      const all = paths(root);
      if (all.length === 0) return m.raw;
      // 'number' and 'scale' aim at numeric leaves when there are any
      const numeric = all.filter((p) => typeof p.reduce<any>((o, k) => o[k], root) === 'number'); // eslint-disable-line @typescript-eslint/no-explicit-any
      const pool = (m.kind === 'number' || m.kind === 'scale') && numeric.length > 0 ? numeric : all;
      const path = pool[m.pick % pool.length]!;
      const old = path.reduce<any>((o, k) => o[k], root); // eslint-disable-line @typescript-eslint/no-explicit-any
      this.what = `${path.join('.')}: ${this.base}`;
      if (m.kind === 'remove') return replaceAt(root, path, undefined);
      if (m.kind === 'scale' && typeof old === 'number') return replaceAt(root, path, String(old * m.factor));
      return replaceAt(root, path, m.kind === 'number' ? m.num : m.raw);
    },
  }));
}

/** Byte-level damage: flipped bytes, a truncation, junk appended, a line dropped or repeated. */
export function byteMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }).map((edits) => ({
      what: `bytes ${edits.map((e) => `@${e.at}=${e.value}`).join(' ')}`,
      apply: (b: Uint8Array) => { const c = Uint8Array.from(b); for (const e of edits) if (c.length) c[e.at % c.length] = e.value; return c; },
    })),
    fc.double({ min: 0, max: 1, noNaN: true }).map((f) => ({
      what: `truncated to ${(f * 100).toFixed(1)}%`, apply: (b: Uint8Array) => b.slice(0, Math.floor(b.length * f)),
    })),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((junk) => ({
      what: `${junk.length} junk bytes appended`, apply: (b: Uint8Array) => { const c = new Uint8Array(b.length + junk.length); c.set(b); c.set(junk, b.length); return c; },
    })),
  );
}

/** Text-level damage: a number or a cell replaced, a line dropped, doubled or cut, a quote inserted. */
export function textMutation(): fc.Arbitrary<Mutation> {
  const numberRe = /-?\d+(?:\.\d+)?(?:e-?\d+)?/gi;
  return fc.oneof(
    fc.record({ pick: fc.nat(), by: fc.constantFrom(...CELL_TEXTS) }).map(({ pick, by }) => ({
      what: `a number → ${JSON.stringify(by)}`,
      apply: (b: Uint8Array) => {
        const s = text(b);
        const hits = [...s.matchAll(numberRe)];
        if (hits.length === 0) return b;
        const h = hits[pick % hits.length]!;
        return utf8.encode(s.slice(0, h.index) + by + s.slice(h.index! + h[0].length));
      },
    })),
    fc.record({ pick: fc.nat(), op: fc.constantFrom('drop', 'double', 'cut', 'quote', 'comma', 'empty') }).map(({ pick, op }) => ({
      what: `line ${op}`,
      apply: (b: Uint8Array) => {
        const lines = text(b).split('\n');
        const i = pick % lines.length;
        const l = lines[i]!;
        if (op === 'drop') lines.splice(i, 1);
        else if (op === 'double') lines.splice(i, 0, l);
        else if (op === 'cut') lines[i] = l.slice(0, pick % (l.length + 1));
        else if (op === 'quote') lines[i] = `${l.slice(0, pick % (l.length + 1))}"${l.slice(pick % (l.length + 1))}`;
        else if (op === 'comma') lines[i] = `${l},`;
        else lines[i] = '';
        return utf8.encode(lines.join('\n'));
      },
    })),
    byteMutation(),
  );
}

/** A JSON-lines file: one line's JSON mutated (as jsonFieldMutation), or text damage. */
export function jsonLinesMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ line: fc.nat(), field: jsonFieldMutation(), all: fc.boolean() }).map(({ line, field, all }) => ({
      at: line,
      get what() { return `${all ? 'every line' : `line ${this.at + 1}`}: ${field.what}`; },
      apply(b: Uint8Array) {
        const lines = text(b).split('\n');
        this.at = line % lines.length;
        const targets = all ? lines.map((_, i) => i) : [this.at];
        for (const i of targets) if (lines[i]!.trim() !== '') lines[i] = field.apply(lines[i]!);
        return utf8.encode(lines.join('\n'));
      },
    })),
    textMutation(),
  );
}

interface Header { [name: string]: unknown }

function splitSafetensors(b: Uint8Array): { header: Header; data: Uint8Array } {
  const n = Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
  return { header: JSON.parse(text(b.subarray(8, 8 + n))) as Header, data: b.subarray(8 + n) };
}

function joinSafetensors(headerText: string, data: Uint8Array): Uint8Array {
  const h = utf8.encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const SPECIAL_FLOATS = [NaN, Infinity, -Infinity, 3e38, -3e38, 1e30, -1e30, 1e-40, 0];

/** Damage to a safetensors file: its bytes, its header length, a header field, a metadata JSON
 *  field (recur.config, recur.train, ...), or tensor values set to NaN, ±Infinity or huge numbers. */
export function safetensorsMutation(): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 2, arbitrary: byteMutation() },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, 7n, 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n, -1n).map((v) => ({
      what: `header length ${v}`,
      apply: (b: Uint8Array) => { const c = Uint8Array.from(b); new DataView(c.buffer).setBigUint64(0, BigInt.asUintN(64, v), true); return c; },
    })) },
    { weight: 3, arbitrary: jsonFieldMutation().map((field) => ({
      get what() { return `header ${field.what}`; },
      apply: (b: Uint8Array) => {
        const { header, data } = splitSafetensors(b);
        return joinSafetensors(field.apply(JSON.stringify(header)), data); // may be invalid JSON on purpose
      },
    })) },
    { weight: 4, arbitrary: fc.record({ key: fc.nat(), field: jsonFieldMutation(), raw: fc.constantFrom('', '{', 'null', '[]', '"lm"', '{}') }).chain((m) =>
      fc.boolean().map((whole) => {
        let key = '';
        return {
          get what() { return whole ? `metadata "${key}" = ${JSON.stringify(m.raw)}` : `metadata "${key}" ${m.field.what}`; },
          apply: (b: Uint8Array) => {
            const { header, data } = splitSafetensors(b);
            const meta = { ...(header.__metadata__ as Record<string, string> | undefined) };
            const keys = Object.keys(meta);
            if (keys.length === 0) return b;
            key = keys[m.key % keys.length]!;
            let value: string;
            try { value = whole ? m.raw : m.field.apply(meta[key]!); } catch { value = m.raw; }
            meta[key] = value;
            return joinSafetensors(JSON.stringify({ ...header, __metadata__: meta }), data);
          },
        };
      })) },
    { weight: 2, arbitrary: fc.record({ tensor: fc.nat(), at: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), value: fc.constantFrom(...SPECIAL_FLOATS) }).map((m) => ({
      what: `a tensor's values → ${m.value}`,
      apply(b: Uint8Array) {
        const { header, data } = splitSafetensors(b);
        const floats = Object.entries(header).filter(([n, e]) => n !== '__metadata__' && ['F32', 'F64'].includes((e as { dtype: string }).dtype));
        if (floats.length === 0) return b;
        const [name, e] = floats[m.tensor % floats.length]! as [string, { dtype: string; data_offsets: [number, number] }];
        this.what = `tensor "${name}" values → ${m.value}`;
        const c = Uint8Array.from(b);
        const start = b.length - data.length + e.data_offsets[0];
        const size = e.dtype === 'F32' ? 4 : 8;
        const count = (e.data_offsets[1] - e.data_offsets[0]) / size;
        if (count === 0) return b;
        const view = new DataView(c.buffer, start, count * size);
        for (const i of m.at) (size === 4 ? view.setFloat32(4 * (i % count), m.value, true) : view.setFloat64(8 * (i % count), m.value, true));
        return c;
      },
    })) },
  );
}
