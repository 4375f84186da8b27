import { runEnvironmentLabel } from '../api/environmentTypes';
import { MlwsClient } from '../api/client';
import { FakeServer } from './fakeServer';

describe('environments', () => {
  it('lists versions with build state from GET environments', async () => {
    const env = { name: 'sk', version: 1, ref: 'sk:1', state: 'Ready' };
    const server = new FakeServer([
      r => (r.path === 'environments' ? { body: { environments: [env] } } : undefined)
    ]);
    const listed = await new MlwsClient(server).environments();
    expect(listed.map(e => [e.ref, e.state])).toEqual([['sk:1', 'Ready']]);
  });

  it('labels the environment a run used', () => {
    expect(runEnvironmentLabel({})).toBe('inherit');
    expect(runEnvironmentLabel({ 'mlws.environment': 'sk:2' })).toBe('sk:2 (not built yet)');
    expect(
      runEnvironmentLabel({
        'mlws.environment': 'sk:1',
        'mlws.environment.lock_hash': '0123456789abcdef'
      })
    ).toBe('sk:1 (lock 0123456789ab)');
  });
});
