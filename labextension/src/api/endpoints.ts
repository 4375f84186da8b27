/**
 * Endpoint telemetry over the API: `GET endpoints/{name}/stats` (one window) and
 * `GET endpoints/{name}/stats/series` (per time bucket), as openapi.yaml describes them.
 */
import { buildQuery, MlwsClient } from './client';

export interface IEndpointStats {
  endpoint: string;
  since_ms: number;
  until_ms: number;
  requests: number;
  errors: number;
  by_status: Record<string, number>;
  by_model: Record<string, number>;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  requests_per_s: number;
}

export interface IEndpointSeries {
  endpoint: string;
  since_ms: number;
  until_ms: number;
  bucket_ms: number;
  /** The start of each bucket. */
  times_ms: number[];
  requests: number[];
  requests_per_s: number[];
  p50_ms: (number | null)[];
  p95_ms: (number | null)[];
  p99_ms: (number | null)[];
  /** Per status code seen in the window, its count in each bucket. */
  by_status: Record<string, number[]>;
}

const seg = encodeURIComponent;

export function endpointStats(
  client: MlwsClient,
  name: string,
  since = '1h'
): Promise<IEndpointStats> {
  return client.get(`endpoints/${seg(name)}/stats${buildQuery({ since })}`);
}

export function endpointSeries(
  client: MlwsClient,
  name: string,
  since = '1h',
  bucket = '1m'
): Promise<IEndpointSeries> {
  return client.get(`endpoints/${seg(name)}/stats/series${buildQuery({ since, bucket })}`);
}
