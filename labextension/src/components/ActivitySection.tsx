/** The sidebar's Activity section: who created, changed or deleted what, newest first. */
import * as React from 'react';

import { MlwsClient } from '../api/client';
import { ACTIVITY_KINDS } from '../api/activityTypes';
import { ActivityModel, describeEntry } from '../models/activity';
import { ErrorNote, Section } from './common';

const POLL_MS = 10_000;

export function ActivitySection(props: { client: MlwsClient }): JSX.Element {
  const model = React.useMemo(() => new ActivityModel(props.client), [props.client]);
  const [, setVersion] = React.useState(0);
  React.useEffect(() => {
    const redraw = (): void => setVersion(v => v + 1);
    model.changed.connect(redraw);
    model.start(POLL_MS);
    return () => {
      model.stop();
      model.changed.disconnect(redraw);
    };
  }, [model]);
  return (
    <Section
      title="Activity"
      count={model.entries.length}
      initiallyOpen={false}
      testId="mlws-activity"
    >
      <select
        className="jp-mlws-activity-kind"
        value={model.kind}
        onChange={e => void model.setKind(e.target.value)}
      >
        <option value="">all kinds</option>
        {ACTIVITY_KINDS.map(kind => (
          <option key={kind} value={kind}>
            {kind}
          </option>
        ))}
      </select>
      <ErrorNote message={model.error} />
      <ul className="jp-mlws-plain">
        {model.entries.map(entry => (
          <li key={entry.id} title={JSON.stringify(entry.changes)}>
            {describeEntry(entry)}{' '}
            <span className="jp-mlws-dim">{new Date(entry.time_ms).toLocaleString()}</span>
          </li>
        ))}
        {!model.entries.length && <li className="jp-mlws-empty">no activity</li>}
      </ul>
    </Section>
  );
}
