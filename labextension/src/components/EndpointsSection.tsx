/**
 * The sidebar's Endpoints section: every endpoint (name, state, served model versions,
 * URL); click one to chart its telemetry over the last hour (requests/s, latency
 * p50/p95/p99, errors by status code), refreshed while it stays selected.
 */
import * as React from 'react';

import { MlwsClient } from '../api/client';
import { endpointSeries, IEndpointSeries } from '../api/endpoints';
import { IEndpoint } from '../api/types';
import { telemetryCharts, telemetrySummary } from '../models/endpointTelemetry';
import { ErrorNote, Section } from './common';
import { MetricChart } from './MetricChart';

const REFRESH_MS = 5000;

function EndpointTelemetry(props: { client: MlwsClient; name: string }): JSX.Element {
  const [series, setSeries] = React.useState<IEndpointSeries | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    let live = true;
    const load = (): void => {
      endpointSeries(props.client, props.name).then(
        next => {
          if (live) {
            setSeries(next);
            setError(null);
          }
        },
        (reason: unknown) => live && setError(reason instanceof Error ? reason.message : String(reason))
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [props.client, props.name]);
  const charts = React.useMemo(() => (series ? telemetryCharts(series) : []), [series]);
  return (
    <div className="jp-mlws-endpoint-telemetry" data-endpoint={props.name}>
      <ErrorNote message={error} />
      {series && <div className="jp-mlws-dim">{telemetrySummary(series)}</div>}
      {charts.map(chart => (
        <MetricChart
          key={chart.title}
          title={chart.title}
          curves={chart.curves}
          xTitle="minutes (0 = now)"
          markers
        />
      ))}
    </div>
  );
}

export function EndpointsSection(props: {
  client: MlwsClient;
  endpoints: IEndpoint[];
}): JSX.Element {
  const { endpoints } = props;
  const [selected, setSelected] = React.useState<string | null>(null);
  const shown = endpoints.some(e => e.name === selected) ? selected : null;
  return (
    <Section title="Endpoints" count={endpoints.length} testId="mlws-endpoints">
      <ul className="jp-mlws-plain">
        {endpoints.map(e => (
          <li key={e.name} className="jp-mlws-endpoint" data-endpoint={e.name}>
            <button
              className="jp-mlws-link jp-mlws-endpoint-name"
              title="Show telemetry"
              onClick={() => setSelected(shown === e.name ? null : e.name)}
            >
              <span className="jp-mlws-caret">{shown === e.name ? '▾' : '▸'}</span>
              <b>{e.name}</b>
            </button>{' '}
            <span className="jp-mlws-badge" data-state={e.state}>
              {e.state}
            </span>
            {e.models.length > 0 && (
              <span className="jp-mlws-dim"> · {e.models.join(', ')}</span>
            )}
            {e.scoring_uri && <div className="jp-mlws-dim">{e.scoring_uri}</div>}
            {shown === e.name && <EndpointTelemetry client={props.client} name={e.name} />}
          </li>
        ))}
        {!endpoints.length && <li className="jp-mlws-empty">no endpoints</li>}
      </ul>
    </Section>
  );
}
