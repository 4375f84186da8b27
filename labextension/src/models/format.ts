/**
 * Pure presentation rules shared by the sidebar, run and compare panels.
 */
import { IRun, MetricValue, RunStatus } from '../api/types';

export const TERMINAL: ReadonlySet<RunStatus> = new Set(['Completed', 'Failed', 'Canceled']);

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL.has(status);
}

/** A one-character status mark and a CSS modifier for its colour. */
export function statusIcon(status: RunStatus): { mark: string; tone: string } {
  switch (status) {
    case 'Completed':
      return { mark: '✓', tone: 'ok' };
    case 'Failed':
      return { mark: '✗', tone: 'error' };
    case 'Canceled':
      return { mark: '⊘', tone: 'muted' };
    case 'Running':
    case 'Finalizing':
      return { mark: '●', tone: 'active' };
    case 'CancelRequested':
      return { mark: '◌', tone: 'warn' };
    default:
      return { mark: '○', tone: 'pending' };
  }
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) {
    return '–';
  }
  if (ms < 1000) {
    return `${ms} ms`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${seconds % 60}s`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${minutes % 60}m`;
}

/** The duration of a run, counting up to `now` while it runs. */
export function runDuration(run: IRun, now: number = Date.now()): number | null {
  if (run.started_ms === null) {
    return null;
  }
  return (run.ended_ms ?? now) - run.started_ms;
}

export function toNumber(value: MetricValue | undefined): number {
  if (value === undefined) {
    return NaN;
  }
  if (typeof value === 'number') {
    return value;
  }
  if (value === 'inf') {
    return Infinity;
  }
  if (value === '-inf') {
    return -Infinity;
  }
  return NaN;
}

export function formatMetric(value: MetricValue | undefined): string {
  if (value === undefined) {
    return '';
  }
  const number = toNumber(value);
  if (!Number.isFinite(number)) {
    return String(value);
  }
  if (Number.isInteger(number) && Math.abs(number) < 1e9) {
    return String(number);
  }
  const magnitude = Math.abs(number);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)
    ? number.toExponential(3)
    : number.toPrecision(4);
}

/**
 * The metric the run list shows: the configured one when runs have it, else the
 * first key (alphabetically) that any run of the page has.
 */
export function primaryMetric(runs: IRun[], preferred = ''): string | null {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.metrics).forEach(k => keys.add(k)));
  if (preferred && keys.has(preferred)) {
    return preferred;
  }
  const sorted = [...keys].sort();
  return sorted.length ? sorted[0] : null;
}

/** Case-insensitive match of a search box against what the run row shows. */
export function matchesSearch(run: IRun, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) {
    return true;
  }
  const haystack = [
    run.display_name,
    run.id,
    `${run.experiment}:${run.number}`,
    run.status,
    run.kind,
    run.compute,
    ...Object.entries(run.tags).map(([k, v]) => `${k}=${v}`)
  ]
    .join(' ')
    .toLowerCase();
  return needle.split(/\s+/).every(word => haystack.includes(word));
}

export interface IParamRow {
  key: string;
  values: Array<string | undefined>;
  differs: boolean;
}

/** Params of several runs side by side; rows that differ first, then alphabetical. */
export function paramDiff(runs: IRun[]): IParamRow[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.params).forEach(k => keys.add(k)));
  const rows = [...keys].map(key => {
    const values = runs.map(run => run.params[key]);
    return { key, values, differs: new Set(values).size > 1 };
  });
  return rows.sort((a, b) =>
    a.differs === b.differs ? a.key.localeCompare(b.key) : a.differs ? -1 : 1
  );
}

/** The metric keys that every given run has (for the compare panel's chooser). */
export function commonMetricKeys(runs: IRun[]): string[] {
  if (!runs.length) {
    return [];
  }
  const [first, ...rest] = runs;
  return Object.keys(first.metrics)
    .filter(key => rest.every(run => key in run.metrics))
    .sort();
}

/**
 * A notebook parameter's text, as typed in the dialog, turned into the JSON value
 * papermill injects: numbers, booleans, None, lists and quoted strings are read as
 * such; anything else is taken as a plain string.
 */
export function parseParameterText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'True' || trimmed === 'False') {
    return trimmed === 'True';
  }
  if (trimmed === 'None') {
    return null;
  }
  const quoted = /^'(.*)'$/s.exec(trimmed);
  if (quoted) {
    return quoted[1].replace(/\\'/g, "'");
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}
