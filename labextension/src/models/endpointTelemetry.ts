/**
 * An endpoint's telemetry series as the charts of the Endpoints section draw them: x is
 * minutes before now (0 = now), one chart each for requests/s, latency percentiles, and
 * errors by status code.
 */
import { IEndpointSeries } from '../api/endpoints';
import { IMetricSeries, MetricValue } from '../api/types';
import type { ICurve } from '../components/MetricChart';

export interface ITelemetryChart {
  title: string;
  curves: ICurve[];
}

function curve(name: string, x: number[], values: (number | null)[]): ICurve {
  const series: IMetricSeries = {
    key: name,
    steps: x,
    timestamps: [],
    // an empty bucket has no latency: a gap in the line, not a zero
    values: values.map((v): MetricValue => (v === null ? 'nan' : v))
  };
  return { name, series };
}

/** Minutes before the end of the window, of each bucket's end (the latest bucket is 0). */
export function minutesAgo(series: IEndpointSeries): number[] {
  return series.times_ms.map(
    t => Math.round(((t + series.bucket_ms - series.until_ms) / 60000) * 100) / 100
  );
}

/** The status codes that are errors (400 or more, or not a number). */
export function errorCodes(series: IEndpointSeries): string[] {
  return Object.keys(series.by_status)
    .filter(code => !/^\d+$/.test(code) || Number(code) >= 400)
    .sort();
}

export function telemetryCharts(series: IEndpointSeries): ITelemetryChart[] {
  const x = minutesAgo(series);
  const codes = errorCodes(series);
  const errors = codes.length
    ? codes.map(code => curve(code, x, series.by_status[code]))
    : [curve('errors', x, x.map(() => 0))];
  return [
    { title: 'requests/s', curves: [curve('requests/s', x, series.requests_per_s)] },
    {
      title: 'latency (ms)',
      curves: [
        curve('p50', x, series.p50_ms),
        curve('p95', x, series.p95_ms),
        curve('p99', x, series.p99_ms)
      ]
    },
    { title: 'errors by status', curves: errors }
  ];
}

/** "42 requests · 1.2 % errors" over the whole window. */
export function telemetrySummary(series: IEndpointSeries): string {
  const total = series.requests.reduce((a, b) => a + b, 0);
  const errors = errorCodes(series).reduce(
    (sum, code) => sum + series.by_status[code].reduce((a, b) => a + b, 0),
    0
  );
  if (!total) {
    return 'no requests in the last hour';
  }
  const share = ((100 * errors) / total).toFixed(1);
  return `${total} request${total === 1 ? '' : 's'} · ${errors} error${errors === 1 ? '' : 's'} (${share} %)`;
}
