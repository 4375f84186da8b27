/** How the Schedules section shows a schedule: what it runs, when next, how it last went. */
import { ISchedule } from '../api/schedules';

/** "endpoint train (default)", "endpoint train (v2)" or "pipeline nightly". */
export function scheduleTarget(schedule: ISchedule): string {
  const t = schedule.target;
  if (typeof t.endpoint === 'string') {
    const version = typeof t.version === 'number' ? `v${t.version}` : 'default';
    return `endpoint ${t.endpoint} (${version})`;
  }
  const name = typeof t.pipeline_name === 'string' && t.pipeline_name ? t.pipeline_name : '';
  return `pipeline ${name || String(t.pipeline_id ?? '?')}`;
}

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** "next 12/3/2026, 3:00:00 AM", "next: on change", or "disabled". */
export function nextFiring(schedule: ISchedule): string {
  if (!schedule.enabled) {
    return 'disabled';
  }
  if (schedule.next_due_ms === null) {
    return schedule.kind === 'watch' ? 'next: on change' : 'next: none';
  }
  return `next ${when(schedule.next_due_ms)}`;
}

/** "last run RUNID at …", "last firing failed: …", or "never fired". */
export function lastRun(schedule: ISchedule): string {
  const last = schedule.last_firing;
  if (!last) {
    return 'never fired';
  }
  if (last.error) {
    return `last firing failed: ${last.error}`;
  }
  return `last run ${last.run_id ?? '?'} at ${when(last.fired_ms)}`;
}
