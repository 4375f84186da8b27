import * as React from 'react';

import { MlwsClient } from '../api/client';
import { IPipelineRunView, IPipelineStep, ISweepTrial, ISweepView } from '../api/kindTypes';
import { PipelineDag } from '../components/PipelineDag';
import { SweepTrials } from '../components/SweepTrials';
import { bestSoFar, dagLayout, sortTrials, statusColor, stepHover } from '../models/kindViews';
import { RunModel } from '../models/runModel';
import { FakeServer, makeRun } from './fakeServer';

// react-dom ships no types here; its server renderer needs no DOM
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { renderToStaticMarkup } = require('react-dom/server') as {
  renderToStaticMarkup: (element: React.ReactElement) => string;
};

function trial(index: number, best: number | null, patch: Partial<ISweepTrial> = {}): ISweepTrial {
  return {
    index,
    run_id: `trial${index}`,
    display_name: `sweep_${index}`,
    status: 'Completed',
    hyperparameters: { '--lr': 0.1 * (index + 1), '--opt': 'adam' },
    best_primary_metric: best,
    last_primary_metric: best,
    intervals: best === null ? 0 : 3,
    decision: null,
    started_ms: 1000,
    ended_ms: 3000,
    ...patch
  };
}

function step(name: string, patch: Partial<IPipelineStep> = {}): IPipelineStep {
  return {
    name,
    status: 'Completed',
    run_id: `run-${name}`,
    reused: false,
    reused_from: null,
    reason: 'ran, because no earlier run',
    inputs: [],
    outputs: [],
    depends_on: [],
    ...patch
  };
}

const TRIALS = [
  trial(0, 0.5),
  trial(1, 0.9),
  trial(2, null, { status: 'Running' }),
  trial(3, 0.2, {
    status: 'Canceled',
    decision: 'canceled by BanditPolicy at step 4: val_acc 0.2 < 0.9 / (1 + 0.1) = 0.8182'
  })
];

function sweepView(trials: ISweepTrial[] = TRIALS): ISweepView {
  return {
    run: makeRun(1, { kind: 'sweep' }),
    trials,
    best_run_id: 'trial1',
    config: { primary_metric_name: 'val_acc', primary_metric_goal: 'MAXIMIZE', max_total_runs: 6 }
  };
}

const PIPELINE: IPipelineRunView = {
  id: 'p1',
  status: 'Running',
  parameters: { lr: 0.05 },
  steps: [
    step('prepare', { reused: true, reused_from: 'old-prep', run_id: null, reason: 'reused (from run old-prep)', outputs: ['prepared'] }),
    step('train', { status: 'Running', inputs: ['prepared'], depends_on: ['prepare'], reason: 'ran, because parameter lr 0.1 → 0.05' }),
    step('score', { status: 'NotStarted', run_id: null, reason: null, depends_on: ['prepare'] })
  ]
};

describe('sweep trials', () => {
  it('sorts by metric best first either way, trials without a metric last', () => {
    const ids = (list: ISweepTrial[]) => list.map(t => t.index);
    expect(ids(sortTrials(TRIALS, 'metric', true))).toEqual([1, 0, 3, 2]);
    expect(ids(sortTrials(TRIALS, 'metric', false))).toEqual([3, 0, 1, 2]);
    expect(ids(sortTrials(TRIALS, 'index', true))).toEqual([3, 2, 1, 0]);
    expect(ids(sortTrials(TRIALS, 'status', false))).toEqual([3, 0, 1, 2]);
  });

  it('draws the best value so far after each trial that logged it', () => {
    expect(bestSoFar(TRIALS, true)).toMatchObject({ steps: [0, 1, 3], values: [0.5, 0.9, 0.9] });
    expect(bestSoFar(TRIALS, false)).toMatchObject({ steps: [0, 1, 3], values: [0.5, 0.5, 0.2] });
    expect(bestSoFar([], true).steps).toEqual([]);
  });

  it('renders the table with parameters, metric and the policy decision', () => {
    const html = renderToStaticMarkup(
      React.createElement(SweepTrials, { sweep: sweepView(), openRun: () => undefined, chart: false })
    );
    expect(html).toContain('data-testid="mlws-sweep"');
    expect(html).toContain('--lr');
    expect(html).toContain('val_acc');
    expect(html).toContain('canceled by BanditPolicy at step 4');
    expect(html).toContain('data-run-id="trial1" class="jp-mlws-best"');
    // in trial order until a header is clicked
    const order = (html.match(/data-run-id="trial\d"/g) ?? []).map(m => m.slice(13, -1));
    expect(order).toEqual(['trial0', 'trial1', 'trial2', 'trial3']);
    expect(html).toContain('data-sort="metric"');
  });
});

describe('pipeline DAG', () => {
  it('lays steps out in columns by depth', () => {
    const layout = dagLayout(PIPELINE.steps);
    const at = Object.fromEntries(layout.nodes.map(n => [n.step.name, [n.column, n.row]]));
    expect(at).toEqual({ prepare: [0, 0], train: [1, 0], score: [1, 1] });
    expect(layout.edges.map(e => `${e.from.step.name}>${e.to.step.name}`)).toEqual([
      'prepare>train',
      'prepare>score'
    ]);
  });

  it('colours nodes by status, badges reused steps and explains them on hover', () => {
    const html = renderToStaticMarkup(
      React.createElement(PipelineDag, { pipeline: PIPELINE, openRun: () => undefined })
    );
    expect(html).toContain(`fill="${statusColor('Running')}"`);
    expect(html).toContain(`fill="${statusColor('NotStarted')}"`);
    expect(html).toMatch(/data-step="prepare" data-status="Completed" data-reused="true"/);
    expect(html).toContain('jp-mlws-reused-badge');
    expect(html).toContain('<title>prepare: Completed\nreused (from run old-prep)');
    expect(html).toContain('ran, because parameter lr 0.1 → 0.05');
    expect(stepHover(PIPELINE.steps[1])).toContain('inputs: prepared');
  });

  it('opens the run of a clicked step: a reused one opens the run it reused', () => {
    const opened: string[] = [];
    const tree = PipelineDag({ pipeline: PIPELINE, openRun: run => opened.push(run.id) });
    const nodes: React.ReactElement[] = [];
    const walk = (node: React.ReactNode): void => {
      React.Children.forEach(node, child => {
        if (React.isValidElement(child)) {
          const props = child.props as { className?: string; children?: React.ReactNode };
          if (props.className === 'jp-mlws-dag-node') {
            nodes.push(child);
          }
          walk(props.children);
        }
      });
    };
    walk(tree);
    nodes.forEach(n => (n.props as { onClick: () => void }).onClick());
    expect(opened).toEqual(['old-prep', 'run-train']); // score has no run yet
  });
});

describe('RunModel of a sweep or a pipeline', () => {
  function server(kind: string): FakeServer {
    return new FakeServer([
      r =>
        r.path === 'runs/r1'
          ? { body: { ...makeRun(1, { kind }), logs: [], has_children: false } }
          : undefined,
      r => (r.path === 'runs/r1/metrics' ? { body: { metrics: [] } } : undefined),
      r =>
        r.path === 'runs/r1/logs'
          ? { body: { name: 'std_log.txt', offset: 0, next_offset: 0, text: '' } }
          : undefined,
      r => (r.path === 'runs/r1/artifacts' ? { body: { files: [] } } : undefined),
      r => (r.path === 'runs/r1/values' ? { body: { values: [] } } : undefined),
      r => (r.path === 'sweeps/r1' ? { body: sweepView() } : undefined),
      r => (r.path === 'pipeline-runs/r1' ? { body: PIPELINE } : undefined)
    ]);
  }

  it('loads a sweep its trials and a pipeline run its steps, nothing for other kinds', async () => {
    const sweep = new RunModel(new MlwsClient(server('sweep')), 'r1', 100);
    await sweep.refresh();
    expect(sweep.error).toBeNull();
    expect(sweep.sweep?.trials.length).toBe(4);
    expect(sweep.pipeline).toBeNull();

    const pipeline = new RunModel(new MlwsClient(server('pipeline')), 'r1', 100);
    await pipeline.refresh();
    expect(pipeline.pipeline?.steps.map(s => s.name)).toEqual(['prepare', 'train', 'score']);

    const plainServer = server('script');
    const plain = new RunModel(new MlwsClient(plainServer), 'r1', 100);
    await plain.refresh();
    expect(plain.sweep).toBeNull();
    expect(plainServer.requests.some(r => r.path.startsWith('sweeps') || r.path.startsWith('pipeline-runs'))).toBe(false);
  });
});
