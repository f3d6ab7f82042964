/**
 * Figures from samples, and the Markdown table the benchmark prints. Nothing here measures.
 */

export interface Summary {
  n: number;
  median: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values (`q` in 0..1). */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Whether a target is met, missed, or could not be judged (nothing measured). */
export type Verdict = 'meets' | 'misses' | 'n/a';

export function verdict(
  value: number | undefined,
  limit: number,
  kind: '<=' | '>=' = '<=',
): Verdict {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return (kind === '<=' ? value <= limit : value >= limit) ? 'meets' : 'misses';
}

export interface Row {
  id: string;
  what: string;
  n?: number;
  /** Milliseconds. */
  median?: number;
  p95?: number;
  p99?: number;
  /** A derived figure, already formatted (calls/s, a ratio, MB, KB, or why nothing was measured). */
  result?: string;
  target?: string;
  verdict?: Verdict;
}

export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(0);
}

/** A difference in ms with its sign: `+0.175`, `−0.215`. */
export function signedMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;
}

export function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
}

export function rate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en-US')} calls/s`;
}

/** A Markdown table; `|` inside a cell is escaped. */
export function markdownTable(rows: readonly Row[]): string {
  const header = [
    '#',
    'measurement',
    'n',
    'median ms',
    'p95 ms',
    'p99 ms',
    'result',
    'target',
    'verdict',
  ];
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h, i) => (i >= 2 && i <= 5 ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const row of rows) {
    lines.push(
      `| ${[
        row.id,
        row.what,
        row.n === undefined ? '' : String(row.n),
        row.median === undefined ? '' : ms(row.median),
        row.p95 === undefined ? '' : ms(row.p95),
        row.p99 === undefined ? '' : ms(row.p99),
        row.result ?? '',
        row.target ?? '',
        row.verdict ?? '',
      ]
        .map(cell)
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
