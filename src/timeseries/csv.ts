/**
 * @module timeseries/csv
 * Series from CSV text: a header row (detected: a first row of numbers is data, and the columns are
 * then named 1, 2, …; so is an unnamed column, such as pandas' index), columns chosen by name (or
 * 1-based position), a date column kept as text for
 * output, and every missing or non-numeric value reported by row and column, or filled by linear
 * interpolation when asked. RFC 4180 quoting ("a,b", "say ""hi"""), CRLF or LF, a UTF-8 BOM.
 */
import { RecurError } from '../errors.js';

/** A parsed CSV file: its header, data rows as strings, and where each row starts in the file. */
export interface CsvTable {
  header: string[];
  hasHeader: boolean;
  rows: string[][];   // data rows, each as long as the header
  lines: number[];    // the 1-based file line where each data row starts
}

/** Parse CSV text. `what` names the source in errors. */
export function parseCsv(text: string, what: string): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;       // inside quotes
  let wasQuoted = false;    // this field was quoted (so "" is a value, not a missing one)
  let line = 1;
  let start = 1;
  const endRecord = () => {
    fields.push(wasQuoted ? field : field.trim());
    if (!(fields.length === 1 && fields[0] === '' && !wasQuoted)) records.push({ fields, line: start }); // skip blank lines
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') { quoted = true; wasQuoted = true; field = ''; }
    else if (ch === ',') { fields.push(wasQuoted ? field : field.trim()); field = ''; wasQuoted = false; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) throw new RecurError(`${what}: a quoted field that starts on line ${start} is never closed`);
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  if (records.length === 0) throw new RecurError(`${what}: the file is empty`);

  const first = records[0]!.fields;
  const hasHeader = !first.every((f) => parseNumber(f) !== undefined);
  // an unnamed column (pandas writes its index that way) is named by its 1-based position
  const header = (hasHeader ? first : first.map(() => '')).map((h, i) => (h === '' ? String(i + 1) : h));
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new RecurError(`${what}: the header names column "${h}" twice`);
    seen.add(h);
  }
  const data = hasHeader ? records.slice(1) : records;
  if (data.length === 0) throw new RecurError(`${what}: the file has a header but no data rows`);
  for (const r of data) {
    if (r.fields.length !== header.length) {
      throw new RecurError(`${what}: line ${r.line} has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, expected ${header.length} (${header.join(', ')})`);
    }
  }
  return { header, hasHeader, rows: data.map((r) => r.fields), lines: data.map((r) => r.line) };
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?', '-', '.']);

/** A finite number, or undefined. Accepts what Number accepts except empty/whitespace strings. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Which columns of a CsvTable make the series: the target, exogenous inputs and the date, and
 * whether gaps are interpolated.
 */
export interface ColumnOptions {
  column?: string | undefined;          // the target; default: the last column that is not the date
  exog?: readonly string[] | undefined; // exogenous input columns
  date?: string | undefined;            // the date column; default: detected (see seriesFromTable)
  interpolate?: boolean | undefined;    // fill missing / non-numeric values linearly instead of failing
}

/**
 * A series from a table: the target y (n), exogenous columns (n, m) row-major, and dates when the
 * table has them.
 */
export interface SeriesData {
  name: string;
  column: string;
  y: Float64Array;                 // (n) the target
  exogNames: string[];
  exog: Float64Array | undefined;  // (n, m) row-major, m = exogNames.length
  dateColumn: string | undefined;
  dates: string[] | undefined;     // (n) as written in the file
  filled: { column: string; row: number }[]; // values filled by interpolation (row is 1-based)
}

const DATE_NAME = /^(date|time|timestamp|datetime|ds|month|year|day|week|quarter|period)$/i;

/** The target, exogenous and date columns of a table. */
export function seriesFromTable(table: CsvTable, o: ColumnOptions, what: string): SeriesData {
  const index = (name: string, option: string): number => {
    let i = table.header.indexOf(name);
    if (i < 0 && /^\d+$/.test(name) && Number(name) >= 1 && Number(name) <= table.header.length) i = Number(name) - 1;
    if (i < 0) throw new RecurError(`${what}: ${option} "${name}": no such column; the columns are ${table.header.map((h) => `"${h}"`).join(', ')}`);
    return i;
  };
  const numericColumn = (i: number) => table.rows.every((r) => parseNumber(r[i]!) !== undefined);
  let dateIdx: number | undefined;
  if (o.date !== undefined) dateIdx = index(o.date, '--date');
  const explicit = new Set<number>([...(o.column !== undefined ? [index(o.column, '--column')] : []), ...(o.exog ?? []).map((c) => index(c, '--exog'))]);
  if (dateIdx === undefined && table.header.length > 1 && !explicit.has(0) && (DATE_NAME.test(table.header[0]!) || !numericColumn(0))) dateIdx = 0;
  let target: number;
  if (o.column !== undefined) target = index(o.column, '--column');
  else {
    target = table.header.length - 1;
    if (target === dateIdx) throw new RecurError(`${what}: the only column is the date "${table.header[target]}"; name the value column with --column`);
  }
  if (target === dateIdx) throw new RecurError(`${what}: --column "${table.header[target]}" is also the date column; pick another --date`);
  const exogIdx = (o.exog ?? []).map((c) => index(c, '--exog'));
  for (const e of exogIdx) {
    if (e === target) throw new RecurError(`${what}: --exog "${table.header[e]}" is the target column itself; an exogenous input must be another column`);
    if (e === dateIdx) throw new RecurError(`${what}: --exog "${table.header[e]}" is the date column`);
  }
  if (new Set(exogIdx).size !== exogIdx.length) throw new RecurError(`${what}: --exog names a column twice`);

  const filled: SeriesData['filled'] = [];
  const read = (col: number): Float64Array => {
    const n = table.rows.length;
    const v = new Float64Array(n);
    const bad: number[] = [];
    for (let r = 0; r < n; r++) {
      const raw = table.rows[r]![col]!;
      const x = parseNumber(raw);
      if (x === undefined) {
        if (!o.interpolate) {
          const missing = MISSING.has(raw.trim().toLowerCase());
          const date = dateIdx !== undefined ? `, ${table.header[dateIdx]} ${table.rows[r]![dateIdx]}` : '';
          throw new RecurError(`${what}: ${missing ? 'missing value' : `non-numeric value "${raw}"`} in column "${table.header[col]}" at row ${r + 1} (line ${table.lines[r]}${date}); fix the file or pass --interpolate to fill gaps linearly`);
        }
        bad.push(r);
        v[r] = NaN;
      } else v[r] = x;
    }
    if (bad.length === n) throw new RecurError(`${what}: column "${table.header[col]}" has no numeric values`);
    for (const r of bad) filled.push({ column: table.header[col]!, row: r + 1 });
    interpolateGaps(v);
    return v;
  };
  const y = read(target);
  const m = exogIdx.length;
  let exog: Float64Array | undefined;
  if (m > 0) {
    exog = new Float64Array(y.length * m);
    exogIdx.forEach((e, j) => { const col = read(e); for (let r = 0; r < y.length; r++) exog![r * m + j] = col[r]!; });
  }
  return {
    name: what, column: table.header[target]!, y, exogNames: exogIdx.map((e) => table.header[e]!), exog,
    dateColumn: dateIdx === undefined ? undefined : table.header[dateIdx],
    dates: dateIdx === undefined ? undefined : table.rows.map((r) => r[dateIdx!]!),
    filled,
  };
}

/** NaN runs → straight lines between their finite neighbours; a run at either end takes the nearest
 *  finite value (there is nothing to interpolate towards). In place. */
export function interpolateGaps(v: Float64Array): void {
  const n = v.length;
  let i = 0;
  while (i < n) {
    if (!Number.isNaN(v[i]!)) { i++; continue; }
    let j = i;
    while (j < n && Number.isNaN(v[j]!)) j++;
    const left = i > 0 ? v[i - 1]! : undefined;
    const right = j < n ? v[j]! : undefined;
    for (let r = i; r < j; r++) {
      if (left !== undefined && right !== undefined) v[r] = left + ((right - left) * (r - i + 1)) / (j - i + 1);
      else v[r] = (left ?? right)!;
    }
    i = j;
  }
}

/** h labels after the last date: months for YYYY-MM, years for YYYY, days at the last step for
 *  YYYY-MM-DD, the last step for plain numbers; otherwise "+1", "+2", …. */
export function extendDates(dates: readonly string[] | undefined, h: number): string[] {
  const plus = Array.from({ length: h }, (_, i) => `+${i + 1}`);
  if (!dates || dates.length === 0) return plus;
  const last = dates[dates.length - 1]!.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{2})$/.exec(last))) {
    const y0 = Number(m[1]), m0 = Number(m[2]) - 1;
    return Array.from({ length: h }, (_, i) => {
      const k = y0 * 12 + m0 + i + 1;
      return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
    });
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(last)) && dates.length >= 2) {
    const prev = Date.parse(`${dates[dates.length - 2]!.trim()}T00:00:00Z`);
    const at = Date.parse(`${last}T00:00:00Z`);
    const step = at - prev;
    if (Number.isFinite(step) && step > 0) return Array.from({ length: h }, (_, i) => new Date(at + step * (i + 1)).toISOString().slice(0, 10));
    return plus;
  }
  const a = parseNumber(last);
  if (a !== undefined) {
    const b = dates.length >= 2 ? parseNumber(dates[dates.length - 2]!) : undefined;
    const step = b !== undefined && a - b > 0 ? a - b : 1;
    return Array.from({ length: h }, (_, i) => String(Math.round((a + step * (i + 1)) * 1e9) / 1e9));
  }
  return plus;
}
