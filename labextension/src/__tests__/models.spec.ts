import { MlwsClient } from '../api/client';
import { IChange } from '../api/types';
import { ChangeFeed, ChangeTracker, IChangeSet } from '../models/changeFeed';
import {
  commonMetricKeys,
  formatDuration,
  formatMetric,
  matchesSearch,
  paramDiff,
  parseParameterText,
  primaryMetric,
  runDuration,
  statusIcon
} from '../models/format';
import { RunListModel } from '../models/runList';
import { RunModel } from '../models/runModel';
import { SidebarModel } from '../models/sidebar';
import { defaultExperiment, submission } from '../models/submission';
import { FakeServer, makeRun, runsRoute } from './fakeServer';

describe('format', () => {
  it('formats durations at every scale', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2m 5s');
    expect(formatDuration(3 * 3600_000 + 60_000)).toBe('3h 1m');
  });

  it('counts a running run up to now', () => {
    const run = makeRun(1, { status: 'Running', started_ms: 1000, ended_ms: null });
    expect(runDuration(run, 4000)).toBe(3000);
    expect(runDuration(makeRun(2, { started_ms: null }))).toBeNull();
  });

  it('formats metrics including the non-finite strings', () => {
    expect(formatMetric(0.123456)).toBe('0.1235');
    expect(formatMetric(42)).toBe('42');
    expect(formatMetric(1.5e-7)).toBe('1.500e-7');
    expect(formatMetric('nan')).toBe('nan');
    expect(formatMetric(undefined)).toBe('');
  });

  it('marks each status', () => {
    expect(statusIcon('Completed').tone).toBe('ok');
    expect(statusIcon('Failed').tone).toBe('error');
    expect(statusIcon('Queued').tone).toBe('pending');
  });

  it('picks the primary metric: configured when present, else first key', () => {
    const runs = [makeRun(1, { metrics: { loss: 1, acc: 0.5 } }), makeRun(2)];
    expect(primaryMetric(runs)).toBe('acc');
    expect(primaryMetric(runs, 'loss')).toBe('loss');
    expect(primaryMetric(runs, 'f1')).toBe('acc');
    expect(primaryMetric([makeRun(3)])).toBeNull();
  });

  it('searches every word across name, number, status and tags', () => {
    const run = makeRun(4, { display_name: 'ResNet big', tags: { team: 'vision' } });
    expect(matchesSearch(run, 'resnet vision')).toBe(true);
    expect(matchesSearch(run, 'exp:4')).toBe(true);
    expect(matchesSearch(run, 'resnet audio')).toBe(false);
    expect(matchesSearch(run, '  ')).toBe(true);
  });

  it('diffs params with differing rows first', () => {
    const a = makeRun(1, { params: { lr: '0.1', bs: '32' } });
    const b = makeRun(2, { params: { lr: '0.2', bs: '32', seed: '1' } });
    expect(paramDiff([a, b])).toEqual([
      { key: 'lr', values: ['0.1', '0.2'], differs: true },
      { key: 'seed', values: [undefined, '1'], differs: true },
      { key: 'bs', values: ['32', '32'], differs: false }
    ]);
  });

  it('finds metric keys all compared runs share', () => {
    const a = makeRun(1, { metrics: { loss: 1, acc: 1 } });
    const b = makeRun(2, { metrics: { loss: 2 } });
    expect(commonMetricKeys([a, b])).toEqual(['loss']);
    expect(commonMetricKeys([])).toEqual([]);
  });

  it('reads dialog parameter text as Python literals', () => {
    expect(parseParameterText('0.5')).toBe(0.5);
    expect(parseParameterText("'demo'")).toBe('demo');
    expect(parseParameterText('"demo"')).toBe('demo');
    expect(parseParameterText('True')).toBe(true);
    expect(parseParameterText('None')).toBeNull();
    expect(parseParameterText('[1, 2]')).toEqual([1, 2]);
    expect(parseParameterText('plain words')).toBe('plain words');
  });
});

describe('submission', () => {
  it('sends only parameters that changed from their defaults', () => {
    const params = [
      { name: 'alpha', type: 'float', default: '0.5', help: '' },
      { name: 'name', type: 'str', default: "'demo'", help: '' }
    ];
    const request = submission(
      'dir/nb.ipynb',
      { experiment: ' nb ', compute: 'local', displayName: '', values: { alpha: '2', name: "'demo'" } },
      params
    );
    expect(request).toEqual({
      path: 'dir/nb.ipynb',
      experiment: 'nb',
      compute: 'local',
      parameters: { alpha: 2 }
    });
  });

  it('names the default experiment after the notebook', () => {
    expect(defaultExperiment('work/My Notebook (v2).ipynb')).toBe('My Notebook _v2_');
    expect(defaultExperiment('.hidden.ipynb')).toBe('hidden');
    expect(defaultExperiment('')).toBe('Default');
  });
});

describe('RunListModel', () => {
  const runs = Array.from({ length: 7 }, (_, i) =>
    makeRun(i + 1, { metrics: { loss: (i * 37) % 11 } })
  );

  it('pages forward and back through an experiment', async () => {
    const list = new RunListModel(new MlwsClient(new FakeServer([runsRoute(runs)])), 1, 3);
    await list.reload();
    expect(list.runs.map(r => r.number)).toEqual([7, 6, 5]);
    expect(list.hasPrevious).toBe(false);
    await list.nextPage();
    await list.nextPage();
    expect(list.runs.map(r => r.number)).toEqual([1]);
    expect(list.hasNext).toBe(false);
    expect(list.page).toBe(3);
    await list.previousPage();
    expect(list.runs.map(r => r.number)).toEqual([4, 3, 2]);
  });

  it('sorts by a metric ascending first, flips on a second click, back to page 1', async () => {
    const list = new RunListModel(new MlwsClient(new FakeServer([runsRoute(runs)])), 1, 10);
    await list.reload();
    await list.nextPage(); // nothing more: stays
    await list.sortBy('metric:loss');
    const ascending = list.runs.map(r => r.metrics.loss as number);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await list.sortBy('metric:loss');
    expect(list.order).toBe('desc');
    expect(list.page).toBe(1);
  });

  it('keeps the last error instead of throwing', async () => {
    const failing = new FakeServer([
      () => ({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad sort' } })
    ]);
    const list = new RunListModel(new MlwsClient(failing), 1, 3);
    await list.reload();
    expect(list.error).toBe('bad sort');
  });
});

describe('SidebarModel', () => {
  function server(): FakeServer {
    return new FakeServer([
      r =>
        r.path === 'experiments'
          ? {
              body: {
                experiments: [
                  { id: 1, name: 'exp', created_ms: 1, archived: false, run_count: 2 },
                  { id: 2, name: 'other', created_ms: 2, archived: false, run_count: 0 }
                ]
              }
            }
          : undefined,
      r => (r.path === 'compute' ? { body: { targets: [] } } : undefined),
      r =>
        r.path === 'models'
          ? { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: '' } }
          : undefined,
      r => (r.path === 'endpoints' ? { body: { endpoints: [] } } : undefined),
      runsRoute([makeRun(1, { display_name: 'baseline' }), makeRun(2, { display_name: 'tuned' })])
    ]);
  }

  it('loads sections, treating a missing models API as empty', async () => {
    const model = new SidebarModel(new MlwsClient(server()), 50);
    await model.refresh();
    expect(model.error).toBeNull();
    expect(model.experiments.map(e => e.name)).toEqual(['exp', 'other']);
    expect(model.models).toEqual([]);
  });

  it('filters experiments by name or by a matching run once expanded', async () => {
    const model = new SidebarModel(new MlwsClient(server()), 50);
    await model.refresh();
    model.setSearch('tuned');
    expect(model.visibleExperiments).toEqual([]);
    await model.toggleExperiment(1);
    expect(model.visibleExperiments.map(e => e.name)).toEqual(['exp']);
    model.setSearch('oth');
    expect(model.visibleExperiments.map(e => e.name)).toEqual(['other']);
  });

  it('collects runs to compare', async () => {
    const model = new SidebarModel(new MlwsClient(server()), 50);
    const run = makeRun(1);
    model.toggleSelected(run);
    model.toggleSelected(makeRun(2));
    model.toggleSelected(run);
    expect([...model.selected.keys()]).toEqual([makeRun(2).id]);
  });
});

describe('RunModel', () => {
  it('follows the log by offset and reloads only series whose count changed', async () => {
    let count = 3;
    let logEnd = 0;
    const text = 'line 1\nline 2\n';
    const server = new FakeServer([
      r =>
        r.path === 'runs/r1'
          ? { body: { ...makeRun(1, { status: 'Running', ended_ms: null }), logs: [], has_children: false } }
          : undefined,
      r =>
        r.path === 'runs/r1/metrics'
          ? {
              body: {
                metrics: [{ key: 'loss', value: 1, step: count, timestamp: 0, count, min: 0, max: 1 }]
              }
            }
          : undefined,
      r =>
        r.path === 'runs/r1/metrics/history'
          ? { body: { key: 'loss', steps: [0], timestamps: [0], values: [count] } }
          : undefined,
      r => {
        if (r.path !== 'runs/r1/logs') {
          return undefined;
        }
        const offset = Number(r.query.get('offset'));
        const piece = text.slice(offset, logEnd);
        return { body: { name: 'std_log.txt', offset, next_offset: offset + piece.length, text: piece } };
      },
      r => (r.path === 'runs/r1/artifacts' ? { body: { files: [] } } : undefined)
    ]);
    const model = new RunModel(new MlwsClient(server), 'r1', 500);
    logEnd = 7;
    await model.refresh();
    expect(model.active).toBe(true);
    expect(model.log).toBe('line 1\n');
    expect(model.series.loss.values).toEqual([3]);
    logEnd = text.length;
    expect(await model.followLog()).toBe(true);
    expect(model.log).toBe(text);
    expect(await model.followLog()).toBe(false);
    const historyCalls = () => server.requests.filter(r => r.path.endsWith('/history')).length;
    await model.refresh();
    expect(historyCalls()).toBe(1);
    count = 4;
    await model.refresh();
    expect(historyCalls()).toBe(2);
    expect(server.requests.find(r => r.path.endsWith('/history'))?.query.get('max_points')).toBe('500');
  });
});

describe('ChangeTracker', () => {
  it('sorts changes by kind and skips versions already seen', () => {
    const tracker = new ChangeTracker();
    const changes: IChange[] = [
      { kind: 'run', version: 5, run_id: 'a', experiment_id: 1 },
      { kind: 'metrics', version: 3, run_id: 'b', experiment_id: 2 },
      { kind: 'targets', version: 77 }
    ];
    const first = tracker.accept(changes);
    expect([...first.runs]).toEqual(['a']);
    expect([...first.experiments]).toEqual([1]);
    expect([...first.metrics]).toEqual(['b']);
    expect([...first.lists]).toEqual(['targets']);
    const again = tracker.accept(changes); // the server looked back over the same writes
    expect(again.runs.size + again.metrics.size + again.lists.size).toBe(0);
    const next = tracker.accept([{ kind: 'metrics', version: 4, run_id: 'b', experiment_id: 2 }]);
    expect([...next.metrics]).toEqual(['b']);
    expect(next.experiments.size).toBe(0); // new points do not move the experiment's list
  });
});

describe('ChangeFeed', () => {
  it('sends its cursor back and emits only what changed', async () => {
    let answer: { cursor: string; changes: IChange[] } = { cursor: 'c1', changes: [] };
    const server = new FakeServer([r => (r.path === 'changes' ? { body: answer } : undefined)]);
    const feed = new ChangeFeed(new MlwsClient(server), 1000);
    const seen: IChangeSet[] = [];
    feed.changed.connect((_, set) => seen.push(set));
    await feed.check();
    expect(server.requests[0].query.get('cursor')).toBeNull();
    answer = { cursor: 'c2', changes: [{ kind: 'run', version: 1, run_id: 'a', experiment_id: 1 }] };
    await feed.check();
    expect(server.requests[1].query.get('cursor')).toBe('c1');
    await feed.check(); // reported again with the same version: nothing new
    expect(seen.map(set => [...set.runs])).toEqual([['a']]);
    feed.dispose();
    expect(feed.isDisposed).toBe(true);
  });
});

describe('SidebarModel.refreshChanged', () => {
  it('refetches only the lists and run lists a change touches', async () => {
    const server = new FakeServer([
      r =>
        r.path === 'experiments'
          ? {
              body: {
                experiments: [
                  { id: 1, name: 'exp', created_ms: 1, archived: false, run_count: 1 },
                  { id: 2, name: 'other', created_ms: 2, archived: false, run_count: 1 }
                ]
              }
            }
          : undefined,
      r => (r.path === 'compute' ? { body: { targets: [] } } : undefined),
      r => (r.path === 'models' ? { body: { models: [] } } : undefined),
      r => (r.path === 'endpoints' ? { body: { endpoints: [] } } : undefined),
      r =>
        r.path === 'runs'
          ? {
              body: {
                runs: [makeRun(Number(r.query.get('experiment')), {
                  experiment_id: Number(r.query.get('experiment'))
                })],
                next_page_token: null
              }
            }
          : undefined
    ]);
    const model = new SidebarModel(new MlwsClient(server), 50);
    await model.refresh();
    await model.toggleExperiment(1);
    await model.toggleExperiment(2);
    const count = (path: string, experiment?: string) =>
      server.requests.filter(
        r => r.path === path && (experiment === undefined || r.query.get('experiment') === experiment)
      ).length;
    const before = { experiments: count('experiments'), one: count('runs', '1'), two: count('runs', '2') };
    const runOfTwo = model.runLists.get(2)!.runs[0].id;
    await model.refreshChanged({
      runs: new Set(),
      metrics: new Set([runOfTwo]),
      experiments: new Set(),
      lists: new Set(['targets'])
    });
    expect(count('experiments')).toBe(before.experiments); // not asked again
    expect(count('compute')).toBe(2);
    expect(count('models')).toBe(1);
    expect(count('runs', '1')).toBe(before.one);
    expect(count('runs', '2')).toBe(before.two + 1); // it shows the run that got points
    await model.refreshChanged({
      runs: new Set(['new-run']),
      metrics: new Set(),
      experiments: new Set([1]),
      lists: new Set(['experiments'])
    });
    expect(count('experiments')).toBe(before.experiments + 1);
    expect(count('runs', '1')).toBe(before.one + 1);
    expect(count('runs', '2')).toBe(before.two + 1);
  });
});
