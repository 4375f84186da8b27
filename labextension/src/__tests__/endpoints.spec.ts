import { MlwsClient } from '../api/client';
import { endpointSeries, endpointStats, IEndpointSeries } from '../api/endpoints';
import {
  errorCodes,
  minutesAgo,
  telemetryCharts,
  telemetrySummary
} from '../models/endpointTelemetry';
import { FakeServer } from './fakeServer';

function makeSeries(patch: Partial<IEndpointSeries> = {}): IEndpointSeries {
  return {
    endpoint: 'svc',
    since_ms: 0,
    until_ms: 180000,
    bucket_ms: 60000,
    times_ms: [0, 60000, 120000],
    requests: [0, 4, 2],
    requests_per_s: [0, 0.067, 0.033],
    p50_ms: [null, 3, 5],
    p95_ms: [null, 8, 6],
    p99_ms: [null, 9, 6],
    by_status: { '200': [0, 3, 1], '400': [0, 1, 0], '503': [0, 0, 1] },
    ...patch
  };
}

describe('endpoint telemetry', () => {
  it('asks for the series of one endpoint over a window in buckets', async () => {
    const server = new FakeServer([
      r => (r.path === 'endpoints/a%2Fb/stats/series' ? { body: makeSeries() } : undefined),
      r => (r.path === 'endpoints/svc/stats' ? { body: { requests: 6 } } : undefined)
    ]);
    const client = new MlwsClient(server);
    const series = await endpointSeries(client, 'a/b', '15m', '30s');
    expect(series.requests).toEqual([0, 4, 2]);
    expect(server.requests[0].query.get('since')).toBe('15m');
    expect(server.requests[0].query.get('bucket')).toBe('30s');
    expect((await endpointStats(client, 'svc')).requests).toBe(6);
    expect(server.requests[1].query.get('since')).toBe('1h');
  });

  it('charts requests/s, the three percentiles and the error codes', () => {
    const series = makeSeries();
    expect(minutesAgo(series)).toEqual([-2, -1, 0]);
    expect(errorCodes(series)).toEqual(['400', '503']);
    const [rate, latency, errors] = telemetryCharts(series);
    expect(rate.title).toBe('requests/s');
    expect(rate.curves[0].series.values).toEqual([0, 0.067, 0.033]);
    expect(latency.curves.map(c => c.name)).toEqual(['p50', 'p95', 'p99']);
    expect(latency.curves[0].series.values).toEqual(['nan', 3, 5]); // empty bucket: a gap
    expect(errors.curves.map(c => [c.name, c.series.values])).toEqual([
      ['400', [0, 1, 0]],
      ['503', [0, 0, 1]]
    ]);
    expect(telemetrySummary(series)).toBe('6 requests · 2 errors (33.3 %)');
  });

  it('draws a flat error line when nothing failed, and says when nothing came', () => {
    const ok = makeSeries({ by_status: { '200': [0, 4, 2] } });
    const errors = telemetryCharts(ok)[2];
    expect(errors.curves.map(c => [c.name, c.series.values])).toEqual([['errors', [0, 0, 0]]]);
    const idle = makeSeries({ requests: [0, 0, 0], by_status: {} });
    expect(telemetrySummary(idle)).toBe('no requests in the last hour');
  });
});
