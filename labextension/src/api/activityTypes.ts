/** The activity log as `GET /mlws/api/v1/activity` returns it (openapi.yaml). */
export interface IActivityEntry {
  id: number;
  time_ms: number;
  /** The OS user, or the Jupyter user through the server. */
  user: string;
  /** sdk, cli, magics, rest, mlflow */
  door: string;
  action: string;
  kind: string;
  name: string;
  /** What changed (names of secrets, never their values). */
  changes: Record<string, unknown>;
}

export interface IActivityQuery {
  /** 90s, 15m, 1h, 2d, 1w */
  since?: string;
  kind?: string;
  user?: string;
  limit?: number;
}

export const ACTIVITY_KINDS = [
  'experiment',
  'run',
  'model',
  'endpoint',
  'compute',
  'environment',
  'dataset',
  'datastore',
  'secret'
];
