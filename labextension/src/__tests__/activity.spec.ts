import { MlwsClient } from '../api/client';
import { IActivityEntry } from '../api/activityTypes';
import { ActivityModel, describeEntry } from '../models/activity';
import { FakeServer } from './fakeServer';

function entry(id: number, patch: Partial<IActivityEntry> = {}): IActivityEntry {
  return {
    id,
    time_ms: 1_700_000_000_000 + id,
    user: 'alice',
    door: 'rest',
    action: 'delete',
    kind: 'model',
    name: 'churn:1',
    changes: {},
    ...patch
  };
}

describe('activity', () => {
  it('asks GET activity with its filters', async () => {
    const server = new FakeServer([
      r => (r.path === 'activity' ? { body: { activity: [entry(2), entry(1)] } } : undefined)
    ]);
    const found = await new MlwsClient(server).activity({ since: '1h', kind: 'model', limit: 5 });
    expect(found.map(e => e.id)).toEqual([2, 1]);
    const query = server.requests[0].query;
    const sent = [query.get('since'), query.get('kind'), query.get('limit')];
    expect(sent).toEqual(['1h', 'model', '5']);
    expect(query.has('user')).toBe(false);
  });

  it('refreshes by kind and keeps the error of a failed answer', async () => {
    let fail = false;
    const server = new FakeServer([
      r => {
        if (r.path !== 'activity') {
          return undefined;
        }
        if (fail) {
          const body = { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad kind' };
          return { status: 400, body };
        }
        const kind = r.query.get('kind');
        return { body: { activity: kind ? [entry(3, { kind })] : [entry(3), entry(4)] } };
      }
    ]);
    const model = new ActivityModel(new MlwsClient(server), 20);
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    expect(model.entries.length).toBe(2);
    await model.setKind('secret');
    expect(model.entries.map(e => e.kind)).toEqual(['secret']);
    expect(server.requests[1].query.get('limit')).toBe('20');
    fail = true;
    await model.refresh();
    expect(model.error).toContain('bad kind');
    expect(model.entries.length).toBe(1); // what was shown stays
    expect(changes).toBe(3);
  });

  it('describes an entry in words', () => {
    expect(describeEntry(entry(1))).toBe('alice deleted model churn:1 (rest)');
    expect(describeEntry(entry(1, { action: 'stop', kind: 'compute', name: 'gpu' }))).toBe(
      'alice stopped compute gpu (rest)'
    );
  });
});
