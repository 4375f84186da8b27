/**
 * The sidebar's Schedules section: every pipeline schedule (name, what it runs, its
 * recurrence or cron, next firing, last run, enabled), with enable/disable.
 */
import * as React from 'react';

import { MlwsClient } from '../api/client';
import { ISchedule, listSchedules, setScheduleEnabled } from '../api/schedules';
import { lastRun, nextFiring, scheduleTarget } from '../models/schedules';
import { ErrorNote, Section } from './common';

const REFRESH_MS = 5000;

export function SchedulesSection(props: { client: MlwsClient }): JSX.Element {
  const { client } = props;
  const [schedules, setSchedules] = React.useState<ISchedule[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState<string | null>(null);
  const fail = (reason: unknown): void =>
    setError(reason instanceof Error ? reason.message : String(reason));
  const load = React.useCallback(
    () =>
      listSchedules(client).then(next => {
        setSchedules(next);
        setError(null);
      }, fail),
    [client]
  );
  React.useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  const toggle = (schedule: ISchedule): void => {
    setBusy(schedule.name);
    setScheduleEnabled(client, schedule.name, !schedule.enabled)
      .then(
        updated => setSchedules(all => all.map(s => (s.name === updated.name ? updated : s))),
        fail
      )
      .finally(() => setBusy(null));
  };
  return (
    <Section title="Schedules" count={schedules.length} testId="mlws-schedules">
      <ErrorNote message={error} />
      <ul className="jp-mlws-plain">
        {schedules.map(s => (
          <li
            key={s.name}
            className="jp-mlws-schedule"
            data-schedule={s.name}
            data-enabled={s.enabled ? 'true' : 'false'}
          >
            <b>{s.name}</b>{' '}
            <span className="jp-mlws-badge" data-state={s.status}>
              {s.status}
            </span>
            <span className="jp-mlws-dim"> · {scheduleTarget(s)}</span>
            <span className="jp-mlws-actions">
              <button disabled={busy === s.name} onClick={() => toggle(s)}>
                {s.enabled ? 'disable' : 'enable'}
              </button>
            </span>
            <div className="jp-mlws-dim jp-mlws-schedule-trigger">{s.trigger}</div>
            <div className="jp-mlws-dim jp-mlws-schedule-next">{nextFiring(s)}</div>
            <div className="jp-mlws-dim jp-mlws-schedule-last">{lastRun(s)}</div>
          </li>
        ))}
        {!schedules.length && <li className="jp-mlws-empty">no schedules</li>}
      </ul>
    </Section>
  );
}
