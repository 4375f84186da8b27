import * as React from 'react';

import { IFileEntry, ILatestMetric } from '../api/types';
import { formatDuration, runDuration } from '../models/format';
import { RunModel } from '../models/runModel';
import { ErrorNote, KeyValueTable, StatusIcon } from './common';
import { LoggedValues } from './LoggedValues';
import { LogTail } from './LogTail';
import { MetricChart } from './MetricChart';
import { PipelineDag } from './PipelineDag';
import { SweepTrials } from './SweepTrials';
import { runEnvironmentLabel } from '../api/environmentTypes';

export interface IRunActions {
  cancel: () => void;
  rerun: () => void;
  downloadSnapshot: () => void;
  download: (file: IFileEntry) => void;
  openNotebook: (path: string) => void;
  openRun: (run: { id: string }) => void;
}

/** The user's tags: the workspace's own `mlws.*` bookkeeping is not listed among them. */
function userTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !key.startsWith('mlws.')));
}

function time(ms: number | null): string {
  return ms === null ? '–' : new Date(ms).toLocaleString();
}

/** Series the runner samples about the run's processes (MLflow's naming). */
const SYSTEM_PREFIX = 'system/';

/** One chart per metric with more than one point, in a grid. */
function MetricCharts(props: { model: RunModel; metrics: ILatestMetric[] }): JSX.Element {
  const { model, metrics } = props;
  return (
    <div className="jp-mlws-charts">
      {metrics
        .filter(m => m.count > 1 && model.series[m.key])
        .map(m => (
          <MetricChart
            key={m.key}
            title={m.key}
            curves={[{ name: m.key, series: model.series[m.key] }]}
          />
        ))}
    </div>
  );
}

export function RunPanel(props: { model: RunModel; actions: IRunActions }): JSX.Element {
  const { model, actions } = props;
  const run = model.run;
  // the user's metrics first; the sampled system/* series in a section of their own
  const userMetrics = model.metrics.filter(m => !m.key.startsWith(SYSTEM_PREFIX));
  const systemMetrics = model.metrics.filter(m => m.key.startsWith(SYSTEM_PREFIX));
  if (run === null) {
    return (
      <div className="jp-mlws-run-panel">
        <ErrorNote message={model.error} />
        {!model.error && <p>Loading…</p>}
      </div>
    );
  }
  const notebook = model.outputNotebook;
  return (
    <div className="jp-mlws-run-panel" data-run-id={run.id} data-status={run.status}>
      <header className="jp-mlws-run-header">
        <h2>
          <StatusIcon status={run.status} /> {run.experiment} #{run.number} ·{' '}
          {run.display_name}
        </h2>
        <div className="jp-mlws-actions">
          <button disabled={!model.active} onClick={actions.cancel}>
            Cancel
          </button>
          <button disabled={run.snapshot_id === null} onClick={actions.rerun}>
            Re-run
          </button>
          <button disabled={run.snapshot_id === null} onClick={actions.downloadSnapshot}>
            Download snapshot
          </button>
          {notebook && (
            <button onClick={() => actions.openNotebook(notebook)}>Open output notebook</button>
          )}
        </div>
      </header>
      <ErrorNote message={model.error} />
      <section className="jp-mlws-overview">
        <KeyValueTable
          title="Overview"
          values={{
            status: run.status,
            kind: run.kind,
            compute: run.compute,
            environment: runEnvironmentLabel(run.properties),
            created: time(run.created_ms),
            started: time(run.started_ms),
            ended: time(run.ended_ms),
            duration: formatDuration(runDuration(run)),
            'run id': run.id,
            ...(run.parent_id ? { parent: run.parent_id } : {})
          }}
        />
        <KeyValueTable title="Params" values={run.params} />
        <KeyValueTable title="Tags" values={userTags(run.tags)} />
        <KeyValueTable title="Properties" values={run.properties} />
      </section>
      {run.error && (
        <section className="jp-mlws-run-error">
          <h3>Error</h3>
          <p>{String(run.error.message ?? '')}</p>
          {run.error.traceback && <pre>{String(run.error.traceback)}</pre>}
        </section>
      )}
      {model.sweep && <SweepTrials sweep={model.sweep} openRun={actions.openRun} />}
      {model.pipeline && <PipelineDag pipeline={model.pipeline} openRun={actions.openRun} />}
      <section>
        <h3>Metrics</h3>
        <MetricCharts model={model} metrics={userMetrics} />
        <KeyValueTable
          title="Latest values"
          values={Object.fromEntries(userMetrics.map(m => [m.key, m.value]))}
        />
      </section>
      {systemMetrics.length > 0 && (
        <section className="jp-mlws-system-metrics">
          <h3>System metrics</h3>
          <MetricCharts model={model} metrics={systemMetrics} />
        </section>
      )}
      <section className="jp-mlws-logged-section">
        <h3>Tables &amp; images</h3>
        <LoggedValues groups={model.logged} images={model.images} />
      </section>
      <section>
        <h3>Log</h3>
        <LogTail text={model.log} finished={!model.active} />
      </section>
      <section>
        <h3>Outputs</h3>
        <ul className="jp-mlws-files">
          {model.files.map(file => (
            <li key={file.path}>
              <button className="jp-mlws-link" onClick={() => actions.download(file)}>
                {file.path}
              </button>
              <span className="jp-mlws-dim"> {file.size} B</span>
              {file.path.endsWith('.ipynb') && (
                <button className="jp-mlws-link" onClick={() => actions.openNotebook(file.path)}>
                  open
                </button>
              )}
            </li>
          ))}
          {!model.files.length && <li className="jp-mlws-empty">no files</li>}
        </ul>
      </section>
      {model.children.length > 0 && (
        <section>
          <h3>Child runs</h3>
          <ul className="jp-mlws-runs">
            {model.children.map(child => (
              <li key={child.id}>
                <StatusIcon status={child.status} />{' '}
                <button className="jp-mlws-link" onClick={() => actions.openRun(child)}>
                  #{child.number} {child.display_name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
