import { MlwsClient } from '../api/client';
import { ISchedule, listSchedules, setScheduleEnabled } from '../api/schedules';
import { lastRun, nextFiring, scheduleTarget } from '../models/schedules';
import { FakeServer } from './fakeServer';

function makeSchedule(patch: Partial<ISchedule> = {}): ISchedule {
  return {
    name: 'nightly',
    kind: 'cron',
    enabled: true,
    status: 'Active',
    trigger: 'cron 0 3 * * * (UTC)',
    spec: { cron: '0 3 * * *' },
    target: { pipeline_id: 'p1', pipeline_name: 'train-pipe', experiment: 'x' },
    next_due_ms: Date.UTC(2026, 0, 2, 3),
    last_firing: null,
    created_ms: 1,
    updated_ms: 1,
    ...patch
  };
}

describe('schedules', () => {
  it('lists schedules and enables or disables one through its REST route', async () => {
    const server = new FakeServer([
      r => (r.path === 'schedules' ? { body: { schedules: [makeSchedule()] } } : undefined),
      r =>
        r.method === 'POST' && r.path === 'schedules/a%20b/disable'
          ? { body: makeSchedule({ name: 'a b', enabled: false, status: 'Disabled' }) }
          : undefined,
      r =>
        r.method === 'POST' && r.path === 'schedules/a%20b/enable'
          ? { body: makeSchedule({ name: 'a b' }) }
          : undefined
    ]);
    const client = new MlwsClient(server);
    expect((await listSchedules(client)).map(s => s.name)).toEqual(['nightly']);
    expect((await setScheduleEnabled(client, 'a b', false)).status).toBe('Disabled');
    expect((await setScheduleEnabled(client, 'a b', true)).enabled).toBe(true);
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET schedules',
      'POST schedules/a%20b/disable',
      'POST schedules/a%20b/enable'
    ]);
  });

  it('names what a schedule runs', () => {
    expect(scheduleTarget(makeSchedule())).toBe('pipeline train-pipe');
    expect(scheduleTarget(makeSchedule({ target: { pipeline_id: 'p9' } }))).toBe('pipeline p9');
    expect(scheduleTarget(makeSchedule({ target: { endpoint: 'train', version: null } }))).toBe(
      'endpoint train (default)'
    );
    expect(scheduleTarget(makeSchedule({ target: { endpoint: 'train', version: 2 } }))).toBe(
      'endpoint train (v2)'
    );
  });

  it('says when it fires next and how the last firing went', () => {
    expect(nextFiring(makeSchedule())).toMatch(/^next /);
    expect(nextFiring(makeSchedule({ enabled: false }))).toBe('disabled');
    expect(nextFiring(makeSchedule({ kind: 'watch', next_due_ms: null }))).toBe('next: on change');
    expect(lastRun(makeSchedule())).toBe('never fired');
    const firing = { schedule: 'nightly', due_ms: 5, fired_ms: 6, run_id: 'r1', error: null };
    expect(lastRun(makeSchedule({ last_firing: firing }))).toMatch(/^last run r1 at /);
    expect(lastRun(makeSchedule({ last_firing: { ...firing, run_id: null, error: 'boom' } }))).toBe(
      'last firing failed: boom'
    );
  });
});
