/**
 * What the run panel shows for a sweep (its trials, sortable, and the best value so
 * far) and for a pipeline run (its steps as a DAG laid out in columns by depth).
 */
import { IPipelineStep, ISweepTrial } from '../api/kindTypes';
import { IMetricSeries, RunStatus } from '../api/types';

export type TrialSortKey = 'index' | 'metric' | 'status';

/** Trials sorted by `key`; trials without a metric always come last. */
export function sortTrials(
  trials: ISweepTrial[],
  key: TrialSortKey,
  descending: boolean
): ISweepTrial[] {
  const sign = descending ? -1 : 1;
  const scored = (t: ISweepTrial) => t.best_primary_metric !== null;
  return [...trials].sort((a, b) => {
    if (key === 'metric') {
      if (scored(a) !== scored(b)) {
        return scored(a) ? -1 : 1;
      }
      if (!scored(a)) {
        return a.index - b.index;
      }
      return sign * ((a.best_primary_metric ?? 0) - (b.best_primary_metric ?? 0));
    }
    if (key === 'status') {
      return sign * a.status.localeCompare(b.status) || a.index - b.index;
    }
    return sign * (a.index - b.index);
  });
}

/** After each trial (by index) that logged the metric: the best value of any so far. */
export function bestSoFar(trials: ISweepTrial[], maximize: boolean, key = 'best'): IMetricSeries {
  const steps: number[] = [];
  const values: number[] = [];
  let best: number | null = null;
  for (const t of [...trials].sort((a, b) => a.index - b.index)) {
    const value = t.best_primary_metric;
    if (value === null || !Number.isFinite(value)) {
      continue;
    }
    if (best === null || (maximize ? value > best : value < best)) {
      best = value;
    }
    steps.push(t.index);
    values.push(best);
  }
  return { key, steps, timestamps: steps.map(() => 0), values };
}

/** The hyperparameter names the trials use, in first-seen order. */
export function parameterNames(trials: ISweepTrial[]): string[] {
  return Array.from(new Set(trials.flatMap(t => Object.keys(t.hyperparameters))));
}

export const STATUS_COLORS: Record<RunStatus, string> = {
  NotStarted: '#6b7280',
  Queued: '#6b7280',
  Preparing: '#2563eb',
  Running: '#2563eb',
  Finalizing: '#2563eb',
  CancelRequested: '#d97706',
  Completed: '#16a34a',
  Failed: '#dc2626',
  Canceled: '#d97706'
};

export function statusColor(status: string): string {
  return STATUS_COLORS[status as RunStatus] ?? '#6b7280';
}

export interface IDagNode {
  step: IPipelineStep;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface IDagLayout {
  nodes: IDagNode[];
  edges: Array<{ from: IDagNode; to: IDagNode }>;
  width: number;
  height: number;
}

export const DAG_SPACING = { dx: 170, dy: 70, pad: 40 };

/** Steps in columns by their depth below the steps they read (the pipeline's order
 * puts a step after what it reads), each column's steps top to bottom. */
export function dagLayout(steps: IPipelineStep[]): IDagLayout {
  const { dx, dy, pad } = DAG_SPACING;
  const depth = new Map<string, number>();
  for (const step of steps) {
    const ups = step.depends_on.map(d => depth.get(d) ?? 0);
    depth.set(step.name, ups.length ? Math.max(...ups) + 1 : 0);
  }
  const rows = new Map<number, number>();
  const byName = new Map<string, IDagNode>();
  const nodes = steps.map(step => {
    const column = depth.get(step.name) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    const node = { step, column, row, x: pad + column * dx, y: pad + row * dy };
    byName.set(step.name, node);
    return node;
  });
  const edges = steps.flatMap(step =>
    step.depends_on
      .filter(d => byName.has(d))
      .map(d => ({ from: byName.get(d) as IDagNode, to: byName.get(step.name) as IDagNode }))
  );
  const columns = Math.max(0, ...nodes.map(n => n.column)) + 1;
  const height = Math.max(1, ...Array.from(rows.values()));
  return {
    nodes,
    edges,
    width: 2 * pad + (columns - 1) * dx + 60,
    height: 2 * pad + (height - 1) * dy
  };
}

/** The hover text of a step: its status, and why it ran or was reused. */
export function stepHover(step: IPipelineStep): string {
  const lines = [`${step.name}: ${step.status}`];
  if (step.reason) {
    lines.push(step.reason);
  }
  if (step.inputs.length) {
    lines.push(`inputs: ${step.inputs.join(', ')}`);
  }
  if (step.outputs.length) {
    lines.push(`outputs: ${step.outputs.join(', ')}`);
  }
  return lines.join('\n');
}
