/**
 * Wire types of the mlws REST API (jupyter_mlws/server/openapi.yaml).
 */

export type RunStatus =
  | 'NotStarted'
  | 'Queued'
  | 'Preparing'
  | 'Running'
  | 'Finalizing'
  | 'CancelRequested'
  | 'Completed'
  | 'Failed'
  | 'Canceled';

/** A metric value: a number, or "nan" / "inf" / "-inf". */
export type MetricValue = number | string;

export interface IUiSettings {
  outputs_dir: string;
  refresh_interval_ms: number;
  page_size: number;
  chart_max_points: number;
}

export interface IWorkspaceInfo {
  root: string;
  db_url: string;
  artifact_url: string;
  experiments: number;
  settings: IUiSettings;
}

export interface IExperiment {
  id: number;
  name: string;
  created_ms: number;
  archived: boolean;
  run_count: number;
}

export interface IRunError {
  message?: string;
  traceback?: string;
  [key: string]: unknown;
}

export interface IRun {
  id: string;
  experiment_id: number;
  experiment: string;
  number: number;
  display_name: string;
  kind: string;
  status: RunStatus;
  compute: string;
  created_ms: number;
  started_ms: number | null;
  ended_ms: number | null;
  duration_ms: number | null;
  parent_id: string | null;
  snapshot_id: string | null;
  definition: Record<string, unknown>;
  error: IRunError | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  properties: Record<string, string>;
  metrics: Record<string, MetricValue>;
}

export interface IRunDetails extends IRun {
  logs: string[];
  has_children: boolean;
}

/** What a run logged besides scalar series (log_row, log_table, log_list, log_image). */
export interface ILoggedValue {
  key: string;
  kind: 'string' | 'list' | 'row' | 'table' | 'image';
  seq: number;
  value: unknown;
  timestamp: number;
}

export interface IRunPage {
  runs: IRun[];
  next_page_token: string | null;
}

export interface IRunQuery {
  experiment?: string | number;
  status?: RunStatus[];
  parentId?: string;
  includeChildren?: boolean;
  compute?: string;
  kind?: string;
  tags?: Record<string, string>;
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  pageToken?: string | null;
}

export interface ILatestMetric {
  key: string;
  value: MetricValue;
  step: number;
  timestamp: number;
  count: number;
  min: MetricValue;
  max: MetricValue;
}

export interface IMetricSeries {
  key: string;
  steps: number[];
  timestamps: number[];
  values: MetricValue[];
}

export interface ILogPiece {
  name: string;
  offset: number;
  next_offset: number;
  text: string;
}

export interface IFileEntry {
  path: string;
  digest: string;
  size: number;
  mode: number;
}

export interface IComputeTarget {
  name: string;
  type: string;
  status: string;
  workers: number | Record<string, unknown> | null;
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  active_runs: number;
}

export interface IModelVersion {
  name: string;
  version: number;
  ref: string;
  created_ms: number;
  description?: string | null;
  framework?: string | null;
  tags: Record<string, string>;
  aliases: string[];
  run_id: string | null;
  experiment: string | null;
}

export interface IEndpoint {
  name: string;
  state: string;
  scoring_uri: string | null;
  port: number | null;
  workers: number;
  auth: string;
  models: string[];
  created_ms: number;
  updated_ms: number;
}

export interface INotebookParameter {
  name: string;
  type: string;
  default: string | null;
  help: string;
}

export interface ISubmitRequest {
  path: string;
  experiment?: string;
  compute?: string;
  parameters?: Record<string, unknown>;
  arguments?: Array<string | number>;
  display_name?: string;
  tags?: Record<string, string>;
}

export interface IApiErrorBody {
  error_code: string;
  message: string;
}

/** What the change feed names: a run's record, a run's metrics, or a whole list. */
export type ChangeKind = 'run' | 'metrics' | 'experiments' | 'targets' | 'models' | 'endpoints';

export interface IChange {
  kind: ChangeKind;
  /** Grows with each change of the same thing: a version already seen can be skipped. */
  version: number;
  run_id?: string;
  experiment_id?: number;
}

export interface IChangeFeed {
  cursor: string;
  changes: IChange[];
}
