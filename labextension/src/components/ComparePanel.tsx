import * as React from 'react';

import { IMetricSeries, IRun } from '../api/types';
import { commonMetricKeys, paramDiff } from '../models/format';
import { MetricChart } from './MetricChart';

export function ComparePanel(props: {
  runs: IRun[];
  loadSeries: (run: IRun, key: string) => Promise<IMetricSeries>;
}): JSX.Element {
  const { runs } = props;
  const keys = commonMetricKeys(runs);
  const [key, setKey] = React.useState(keys[0] ?? '');
  const [curves, setCurves] = React.useState<Array<{ name: string; series: IMetricSeries }>>(
    []
  );
  React.useEffect(() => {
    if (!key) {
      return;
    }
    let live = true;
    void Promise.all(runs.map(run => props.loadSeries(run, key))).then(all => {
      if (live) {
        setCurves(all.map((series, i) => ({ name: label(runs[i]), series })));
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
        <p className="jp-mlws-dim">These runs have no metric in common.</p>
      )}
      {key && curves.length > 0 && <MetricChart title={key} curves={curves} />}
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
