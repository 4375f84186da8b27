/**
 * An in-memory stand-in for the REST API, speaking the same wire format, so the
 * client and models run their real code paths in Jest.
 */
import { ITransport } from '../api/client';
import { IRun } from '../api/types';

export interface IRecorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Route = (request: IRecorded) => { status?: number; body: unknown } | undefined;

export class FakeServer implements ITransport {
  readonly requests: IRecorded[] = [];

  constructor(private readonly routes: Route[]) {}

  async request(path: string, init: RequestInit): Promise<Response> {
    const url = new URL(path, 'http://lab/');
    const recorded: IRecorded = {
      method: init.method ?? 'GET',
      path: url.pathname.replace(/^\/mlws\/api\/v1\//, ''),
      query: url.searchParams,
      body: init.body ? JSON.parse(String(init.body)) : undefined
    };
    this.requests.push(recorded);
    for (const route of this.routes) {
      const answer = route(recorded);
      if (answer) {
        return new Response(JSON.stringify(answer.body), {
          status: answer.status ?? 200,
          headers: { 'Content-Type': 'application/json' }
        });
      }
    }
    return new Response('<html>not found</html>', { status: 404 });
  }
}

export function makeRun(number: number, patch: Partial<IRun> = {}): IRun {
  return {
    id: `run${String(number).padStart(29, '0')}`,
    experiment_id: 1,
    experiment: 'exp',
    number,
    display_name: `run-${number}`,
    kind: 'script',
    status: 'Completed',
    compute: 'local',
    created_ms: 1000 + number,
    started_ms: 1000 + number,
    ended_ms: 3000 + number,
    duration_ms: 2000,
    parent_id: null,
    snapshot_id: null,
    definition: {},
    error: null,
    params: {},
    tags: {},
    properties: {},
    metrics: {},
    ...patch
  };
}

/** `GET runs` over a list, honouring sort=number|metric:KEY, order, limit and tokens. */
export function runsRoute(all: IRun[]): Route {
  return request => {
    if (request.method !== 'GET' || request.path !== 'runs') {
      return undefined;
    }
    const q = request.query;
    const sort = q.get('sort') ?? 'created';
    const sign = q.get('order') === 'asc' ? 1 : -1;
    const value = (run: IRun): number =>
      sort.startsWith('metric:')
        ? Number(run.metrics[sort.slice(7)] ?? NaN)
        : sort === 'number'
          ? run.number
          : run.created_ms;
    const sorted = [...all].sort((a, b) => sign * (value(a) - value(b)));
    const offset = Number(q.get('page_token') ?? 0);
    const limit = Number(q.get('limit') ?? 50);
    const page = sorted.slice(offset, offset + limit);
    const next = offset + limit < sorted.length ? String(offset + limit) : null;
    return { body: { runs: page, next_page_token: next } };
  };
}
