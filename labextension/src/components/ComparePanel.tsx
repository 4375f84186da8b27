import * as React from 'react';

import { IMetricSeries, IRun } from '../api/types';
import { commonMetricKeys, formatMetric, paramDiff } from '../models/format';
import { StatusIcon } from './common';
import { MetricChart } from './MetricChart';

const UNSUCCESSFUL = new Set(['Failed', 'Canceled']);

/** Metric names of any of the runs: common ones first, then the others. */
function allMetricKeys(runs: IRun[]): string[] {
  const common = commonMetricKeys(runs);
  const rest = new Set(runs.flatMap(r => Object.keys(r.metrics)));
  common.forEach(k => rest.delete(k));
  return [...common, ...Array.from(rest).sort()];
}

export function ComparePanel(props: {
  runs: IRun[];
  loadSeries: (run: IRun, key: string) => Promise<IMetricSeries>;
}): JSX.Element {
  const { runs } = props;
  const common = commonMetricKeys(runs);
  const keys = allMetricKeys(runs);
  const [key, setKey] = React.useState(keys[0] ?? '');
  const [curves, setCurves] = React.useState<Array<{ name: string; series: IMetricSeries }>>(
    []
  );
  React.useEffect(() => {
    if (!key) {
      return;
    }
    let live = true;
    const having = runs.filter(run => key in run.metrics);
    void Promise.all(having.map(run => props.loadSeries(run, key))).then(all => {
      if (live) {
        setCurves(all.map((series, i) => ({ name: label(having[i]), series })));
      }
    });
    return () => {
      live = false;
    };
  }, [key, runs]);
  const rows = paramDiff(runs);
  return (
    <div className="jp-mlws-compare">
      <h2>Compare {runs.length} runs</h2>
      {keys.length > 0 && !common.length && (
        <p className="jp-mlws-dim">
          These runs have no metric in common: each curve shows the runs that logged it.
        </p>
      )}
      {keys.length > 0 ? (
        <label>
          metric{' '}
          <select value={key} onChange={e => setKey(e.target.value)}>
            {keys.map(k => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      ) : (
        <p className="jp-mlws-dim">These runs logged no metrics.</p>
      )}
      {key && curves.length > 0 && <MetricChart title={key} curves={curves} />}
      <h3>Latest metrics</h3>
      <table className="jp-mlws-diff jp-mlws-compare-metrics">
        <thead>
          <tr>
            <th />
            {runs.map(run => (
              <th
                key={run.id}
                data-status={run.status}
                className={UNSUCCESSFUL.has(run.status) ? 'jp-mlws-unsuccessful' : ''}
              >
                <StatusIcon status={run.status} /> {label(run)}
                {UNSUCCESSFUL.has(run.status) && (
                  <span className="jp-mlws-status-note"> ({run.status})</span>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {keys.map(k => (
            <tr key={k} data-metric={k}>
              <th>{k}</th>
              {runs.map(run => (
                <td key={run.id}>{k in run.metrics ? formatMetric(run.metrics[k]) : '–'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Params</h3>
      <table className="jp-mlws-diff">
        <thead>
          <tr>
            <th />
            {runs.map(run => (
              <th key={run.id}>{label(run)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr key={row.key} className={row.differs ? 'jp-mlws-differs' : ''}>
              <th>{row.key}</th>
              {row.values.map((value, i) => (
                <td key={runs[i].id}>{value ?? '–'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function label(run: IRun): string {
  return `${run.experiment}:${run.number} ${run.display_name}`;
}
