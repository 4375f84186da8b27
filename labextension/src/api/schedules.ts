/** Pipeline schedules over the API: list, enable, disable (openapi.yaml `/schedules`). */
import { MlwsClient } from './client';

export interface IScheduleFiring {
  schedule: string;
  due_ms: number;
  fired_ms: number;
  run_id: string | null;
  error: string | null;
}

export interface ISchedule {
  name: string;
  kind: 'cron' | 'interval' | 'watch';
  enabled: boolean;
  status: 'Active' | 'Disabled';
  /** "cron 0 3 * * *", "every 2 Hour", "on change of ..." */
  trigger: string;
  spec: Record<string, unknown>;
  /** The published pipeline (`pipeline_id`) or pipeline endpoint (`endpoint`, `version`),
   * the experiment and parameters. */
  target: Record<string, unknown>;
  next_due_ms: number | null;
  last_firing: IScheduleFiring | null;
  created_ms: number;
  updated_ms: number;
}

const seg = encodeURIComponent;

export async function listSchedules(client: MlwsClient): Promise<ISchedule[]> {
  return (await client.get<{ schedules: ISchedule[] }>('schedules')).schedules;
}

export function setScheduleEnabled(
  client: MlwsClient,
  name: string,
  enabled: boolean
): Promise<ISchedule> {
  return client.post(`schedules/${seg(name)}/${enabled ? 'enable' : 'disable'}`);
}
