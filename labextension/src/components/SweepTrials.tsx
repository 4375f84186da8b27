import * as React from 'react';

import { ISweepTrial, ISweepView } from '../api/kindTypes';
import { formatDuration, formatMetric } from '../models/format';
import { TrialSortKey, bestSoFar, parameterNames, sortTrials } from '../models/kindViews';
import { StatusIcon } from './common';
import { MetricChart } from './MetricChart';

function paramText(value: unknown): string {
  return typeof value === 'number' ? formatMetric(value) : String(value ?? '');
}

function duration(t: ISweepTrial): number | null {
  return t.started_ms !== null && t.ended_ms !== null ? t.ended_ms - t.started_ms : null;
}

/** A sweep's trials: a table sortable by trial, status or metric, and the best-so-far curve. */
export function SweepTrials(props: {
  sweep: ISweepView;
  openRun: (run: { id: string }) => void;
  /** Draw the chart (off where plotly cannot load, e.g. static rendering). */
  chart?: boolean;
}): JSX.Element {
  const { sweep, openRun } = props;
  const metric = sweep.config.primary_metric_name;
  const maximize = String(sweep.config.primary_metric_goal).toUpperCase() === 'MAXIMIZE';
  const [sort, setSort] = React.useState<{ key: TrialSortKey; descending: boolean }>({
    key: 'index',
    descending: false
  });
  const trials = sortTrials(sweep.trials, sort.key, sort.descending);
  const names = parameterNames(sweep.trials);
  const progress = React.useMemo(
    () => bestSoFar(sweep.trials, maximize, `best ${metric}`),
    [sweep.trials, maximize, metric]
  );
  const header = (key: TrialSortKey, label: string) => {
    const arrow = sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : '';
    // the metric sorts best first on its first click
    const first = key === 'metric' ? maximize : false;
    return (
      <th>
        <button
          className="jp-mlws-link"
          data-sort={key}
          onClick={() =>
            setSort({ key, descending: sort.key === key ? !sort.descending : first })
          }
        >
          {label}
          {arrow}
        </button>
      </th>
    );
  };
  return (
    <section className="jp-mlws-sweep" data-testid="mlws-sweep">
      <h3>Trials</h3>
      <p className="jp-mlws-dim">
        {metric} ({maximize ? 'max' : 'min'}) · {sweep.trials.length}
        {sweep.config.max_total_runs !== undefined ? ` of ${sweep.config.max_total_runs}` : ''}{' '}
        trials
      </p>
      {props.chart !== false && progress.steps.length > 0 && (
        <MetricChart
          title={`best ${metric} so far`}
          xTitle="trial"
          curves={[{ name: metric, series: progress }]}
        />
      )}
      <table className="jp-mlws-trials">
        <thead>
          <tr>
            {header('index', 'trial')}
            {header('status', 'status')}
            {names.map(n => (
              <th key={n}>{n}</th>
            ))}
            {header('metric', metric)}
            <th>duration</th>
            <th>decision</th>
          </tr>
        </thead>
        <tbody>
          {trials.map(t => (
            <tr
              key={t.run_id}
              data-run-id={t.run_id}
              className={t.run_id === sweep.best_run_id ? 'jp-mlws-best' : undefined}
            >
              <td>
                <button className="jp-mlws-link" onClick={() => openRun({ id: t.run_id })}>
                  {t.display_name}
                </button>
              </td>
              <td>
                <StatusIcon status={t.status} /> {t.status}
              </td>
              {names.map(n => (
                <td key={n}>{paramText(t.hyperparameters[n])}</td>
              ))}
              <td className="jp-mlws-metric">
                {t.best_primary_metric === null ? '' : formatMetric(t.best_primary_metric)}
              </td>
              <td>{formatDuration(duration(t))}</td>
              <td className="jp-mlws-decision">{t.decision ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!sweep.trials.length && <p className="jp-mlws-empty">no trials yet</p>}
    </section>
  );
}
