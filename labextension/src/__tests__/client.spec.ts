import { ApiError, buildQuery, MlwsClient } from '../api/client';
import { FakeServer, makeRun, runsRoute } from './fakeServer';

describe('buildQuery', () => {
  it('repeats list values, skips empty ones and encodes the rest', () => {
    expect(
      buildQuery({ status: ['Running', 'Queued'], tag: undefined, path: 'a b/../c', n: 3 })
    ).toBe('?status=Running&status=Queued&path=a+b%2F..%2Fc&n=3');
    expect(buildQuery({ a: undefined, b: null, c: '' })).toBe('');
  });
});

describe('MlwsClient', () => {
  it('sends run filters, sort and paging as the API expects', async () => {
    const server = new FakeServer([runsRoute([makeRun(1)])]);
    const client = new MlwsClient(server);
    await client.runs({
      experiment: 7,
      status: ['Running', 'Failed'],
      tags: { team: 'a=b' },
      sort: 'metric:loss',
      order: 'asc',
      limit: 20,
      pageToken: 'tok'
    });
    const sent = server.requests[0];
    expect(sent.path).toBe('runs');
    expect(sent.query.get('experiment')).toBe('7');
    expect(sent.query.getAll('status')).toEqual(['Running', 'Failed']);
    expect(sent.query.getAll('tag')).toEqual(['team=a=b']);
    expect(sent.query.get('sort')).toBe('metric:loss');
    expect(sent.query.get('page_token')).toBe('tok');
  });

  it('escapes run ids and artifact paths instead of letting them change the route', async () => {
    const server = new FakeServer([
      r => (r.path.endsWith('/artifacts/open') ? { body: { path: 'mlws-outputs/x.ipynb' } } : undefined)
    ]);
    const client = new MlwsClient(server);
    const copy = await client.openNotebook('abc/../def', 'outputs/../x.ipynb');
    expect(copy).toBe('mlws-outputs/x.ipynb');
    expect(server.requests[0].path).toBe('runs/abc%2F..%2Fdef/artifacts/open');
    expect(server.requests[0].body).toEqual({ path: 'outputs/../x.ipynb' });
  });

  it('turns JSON errors into ApiError with code and status', async () => {
    const server = new FakeServer([
      () => ({ status: 409, body: { error_code: 'RESOURCE_CONFLICT', message: 'no snapshot' } })
    ]);
    const client = new MlwsClient(server);
    await expect(client.rerun('r1')).rejects.toMatchObject({
      status: 409,
      errorCode: 'RESOURCE_CONFLICT',
      message: 'no snapshot'
    });
  });

  it('maps a non-JSON 404 to ENDPOINT_NOT_FOUND (extension not enabled)', async () => {
    const client = new MlwsClient(new FakeServer([]));
    const error = await client.workspace().catch(e => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.errorCode).toBe('ENDPOINT_NOT_FOUND');
    expect(error.isNotFound).toBe(true);
  });

  it('asks for downsampled metric history and log pieces by offset', async () => {
    const server = new FakeServer([
      r =>
        r.path.endsWith('/metrics/history')
          ? { body: { key: 'loss', steps: [0, 1], timestamps: [1, 2], values: [1, 'nan'] } }
          : undefined,
      r =>
        r.path.endsWith('/logs')
          ? { body: { name: 'std_log.txt', offset: 5, next_offset: 9, text: 'abcd' } }
          : undefined
    ]);
    const client = new MlwsClient(server);
    const series = await client.metricHistory('r1', 'val/loss', 2000);
    expect(series.values).toEqual([1, 'nan']);
    expect(server.requests[0].query.get('key')).toBe('val/loss');
    expect(server.requests[0].query.get('max_points')).toBe('2000');
    const piece = await client.log('r1', 5);
    expect(piece.next_offset).toBe(9);
    expect(server.requests[1].query.get('offset')).toBe('5');
  });

  it('posts submissions as JSON', async () => {
    const server = new FakeServer([
      r => (r.method === 'POST' && r.path === 'runs' ? { status: 201, body: makeRun(3) } : undefined)
    ]);
    const run = await new MlwsClient(server).submit({ path: 'nb.ipynb', parameters: { a: 1 } });
    expect(run.number).toBe(3);
    expect(server.requests[0].body).toEqual({ path: 'nb.ipynb', parameters: { a: 1 } });
  });
});
