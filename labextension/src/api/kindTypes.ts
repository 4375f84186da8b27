/**
 * Wire types of the sweep and pipeline-run views (GET sweeps/{id}, GET pipeline-runs/{id}).
 */
import { IRun, RunStatus } from './types';

export interface ISweepTrial {
  index: number;
  run_id: string;
  display_name: string;
  status: RunStatus;
  hyperparameters: Record<string, unknown>;
  best_primary_metric: number | null;
  last_primary_metric: number | null;
  intervals: number;
  /** Why the early-termination policy canceled it, if it did. */
  decision: string | null;
  started_ms: number | null;
  ended_ms: number | null;
}

export interface ISweepView {
  run: IRun;
  trials: ISweepTrial[];
  best_run_id: string | null;
  config: {
    primary_metric_name: string;
    primary_metric_goal: string;
    sampling?: string;
    max_total_runs?: number;
    [key: string]: unknown;
  };
}

export interface IPipelineStep {
  name: string;
  status: RunStatus;
  run_id: string | null;
  reused: boolean;
  reused_from: string | null;
  /** "reused (from run X)" or "ran, because …". */
  reason: string | null;
  inputs: string[];
  outputs: string[];
  depends_on: string[];
}

export interface IPipelineRunView {
  id: string;
  status: RunStatus;
  steps: IPipelineStep[];
  parameters: Record<string, unknown>;
  [key: string]: unknown;
}
