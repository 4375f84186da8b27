/**
 * The typed client of the mlws REST API: the only code that knows URLs and wire formats.
 *
 * It talks through a `Transport` (see `transport.ts` for the JupyterLab one), so that it
 * can be tested without a server.
 */
import {
  IChangeFeed,
  IComputeTarget,
  IEndpoint,
  IExperiment,
  IFileEntry,
  ILatestMetric,
  ILoggedValue,
  ILogPiece,
  IMetricSeries,
  IModelVersion,
  INotebookParameter,
  IRun,
  IRunDetails,
  IRunPage,
  IRunQuery,
  ISubmitRequest,
  IWorkspaceInfo
} from './types';
import { IEnvironmentVersion } from './environmentTypes';
import { IActivityEntry, IActivityQuery } from './activityTypes';
import { IPipelineRunView, ISweepView } from './kindTypes';

export const API_PREFIX = 'mlws/api/v1';

/** Sends a request to `<base>/mlws/api/v1/<path>`; auth and XSRF are its business. */
export interface ITransport {
  request(path: string, init: RequestInit): Promise<Response>;
}

type Query = Record<string, string | number | boolean | string[] | null | undefined>;

/** An error answered by the API: `{"error_code", "message"}` with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export function buildQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach(item => params.append(key, item));
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function runQuery(query: IRunQuery): Query {
  return {
    experiment: query.experiment === undefined ? undefined : String(query.experiment),
    status: query.status,
    parent_id: query.parentId,
    include_children: query.includeChildren ? 'true' : undefined,
    compute: query.compute,
    kind: query.kind,
    tag: query.tags
      ? Object.entries(query.tags).map(([k, v]) => `${k}=${v}`)
      : undefined,
    sort: query.sort,
    order: query.order,
    limit: query.limit,
    page_token: query.pageToken ?? undefined
  };
}

const seg = encodeURIComponent;

export class MlwsClient {
  constructor(private readonly transport: ITransport) {}

  // ---- workspace -----------------------------------------------------------------
  workspace(): Promise<IWorkspaceInfo> {
    return this.get('workspace');
  }

  /** What changed since `cursor` (nothing, and a first cursor, without one). */
  changes(cursor?: string | null): Promise<IChangeFeed> {
    return this.get(`changes${buildQuery({ cursor })}`);
  }

  // ---- experiments ---------------------------------------------------------------
  async experiments(includeArchived = false): Promise<IExperiment[]> {
    const query = buildQuery({ include_archived: includeArchived ? 'true' : undefined });
    return (await this.get<{ experiments: IExperiment[] }>(`experiments${query}`)).experiments;
  }

  experiment(ref: string | number): Promise<IExperiment> {
    return this.get(`experiments/${seg(String(ref))}`);
  }

  archiveExperiment(ref: string | number): Promise<IExperiment> {
    return this.post(`experiments/${seg(String(ref))}/archive`);
  }

  // ---- runs ----------------------------------------------------------------------
  runs(query: IRunQuery = {}): Promise<IRunPage> {
    return this.get(`runs${buildQuery(runQuery(query))}`);
  }

  run(runId: string): Promise<IRunDetails> {
    return this.get(`runs/${seg(runId)}`);
  }

  cancel(runId: string): Promise<IRun> {
    return this.post(`runs/${seg(runId)}/cancel`);
  }

  rerun(runId: string): Promise<IRunDetails> {
    return this.post(`runs/${seg(runId)}/rerun`);
  }

  submit(request: ISubmitRequest): Promise<IRunDetails> {
    return this.post('runs', request);
  }

  async metrics(runId: string): Promise<ILatestMetric[]> {
    return (await this.get<{ metrics: ILatestMetric[] }>(`runs/${seg(runId)}/metrics`))
      .metrics;
  }

  async values(runId: string): Promise<ILoggedValue[]> {
    const reply = await this.get<{ values: ILoggedValue[] }>(`runs/${seg(runId)}/values`);
    return reply.values;
  }

  metricHistory(runId: string, key: string, maxPoints?: number): Promise<IMetricSeries> {
    const query = buildQuery({ key, max_points: maxPoints });
    return this.get(`runs/${seg(runId)}/metrics/history${query}`);
  }

  log(runId: string, offset = 0, name = 'std_log.txt'): Promise<ILogPiece> {
    return this.get(`runs/${seg(runId)}/logs${buildQuery({ name, offset })}`);
  }

  async artifacts(runId: string, prefix = ''): Promise<IFileEntry[]> {
    const query = buildQuery({ prefix });
    return (await this.get<{ files: IFileEntry[] }>(`runs/${seg(runId)}/artifacts${query}`))
      .files;
  }

  downloadArtifact(runId: string, path: string): Promise<Blob> {
    return this.blob(`runs/${seg(runId)}/artifacts/content${buildQuery({ path })}`);
  }

  /** Copies an output notebook under the server's root; returns its contents path. */
  async openNotebook(runId: string, path: string): Promise<string> {
    const reply = await this.post<{ path: string }>(`runs/${seg(runId)}/artifacts/open`, {
      path
    });
    return reply.path;
  }

  downloadSnapshot(runId: string): Promise<Blob> {
    return this.blob(`runs/${seg(runId)}/snapshot.zip`);
  }

  /** A sweep run with its trials (status, parameters, primary metric, policy decision). */
  sweep(runId: string): Promise<ISweepView> {
    return this.get(`sweeps/${seg(runId)}`);
  }

  /** A pipeline run with its steps (status, reuse and why). */
  pipelineRun(runId: string): Promise<IPipelineRunView> {
    return this.get(`pipeline-runs/${seg(runId)}`);
  }

  // ---- compute, notebooks, models, endpoints --------------------------------------
  async computeTargets(): Promise<IComputeTarget[]> {
    return (await this.get<{ targets: IComputeTarget[] }>('compute')).targets;
  }

  computeAction(name: string, action: 'start' | 'stop'): Promise<IComputeTarget> {
    return this.post(`compute/${seg(name)}/${action}`);
  }

  /** The activity log, newest first. */
  async activity(query: IActivityQuery = {}): Promise<IActivityEntry[]> {
    const path = `activity${buildQuery({ ...query })}`;
    return (await this.get<{ activity: IActivityEntry[] }>(path)).activity;
  }

  async notebookParameters(path: string): Promise<INotebookParameter[]> {
    const query = buildQuery({ path });
    return (await this.get<{ parameters: INotebookParameter[] }>(`notebooks/parameters${query}`))
      .parameters;
  }

  async models(latest = true): Promise<IModelVersion[]> {
    const query = buildQuery({ latest: latest ? 'true' : undefined });
    return (await this.get<{ models: IModelVersion[] }>(`models${query}`)).models;
  }

  async environments(): Promise<IEnvironmentVersion[]> {
    return (await this.get<{ environments: IEnvironmentVersion[] }>('environments')).environments;
  }

  async endpoints(): Promise<IEndpoint[]> {
    return (await this.get<{ endpoints: IEndpoint[] }>('endpoints')).endpoints;
  }

  // ---- plumbing (get and post also serve the per-feature API modules beside this one)
  async get<T>(path: string): Promise<T> {
    return this.json<T>(path, { method: 'GET' });
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.json<T>(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  }

  private async json<T>(path: string, init: RequestInit): Promise<T> {
    const response = await this.send(path, init);
    return (await response.json()) as T;
  }

  private async blob(path: string): Promise<Blob> {
    return (await this.send(path, { method: 'GET' })).blob();
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const response = await this.transport.request(`${API_PREFIX}/${path}`, init);
    if (!response.ok) {
      throw await toApiError(response);
    }
    return response;
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body.error_code === 'string') {
      return new ApiError(response.status, body.error_code, String(body.message ?? ''));
    }
  } catch {
    // not JSON: fall through
  }
  const code = response.status === 404 ? 'ENDPOINT_NOT_FOUND' : 'BAD_REQUEST';
  return new ApiError(response.status, code, text.slice(0, 500) || response.statusText);
}
