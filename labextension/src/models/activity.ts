/**
 * What the Activity section shows: the newest entries of the workspace's activity log,
 * optionally of one kind, asked for again every `intervalMs` while started.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { MlwsClient } from '../api/client';
import { IActivityEntry } from '../api/activityTypes';

export class ActivityModel {
  entries: IActivityEntry[] = [];
  kind = '';
  error: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly changedSignal = new Signal<this, void>(this);

  constructor(
    private readonly client: MlwsClient,
    readonly limit = 50
  ) {}

  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  async refresh(): Promise<void> {
    try {
      this.entries = await this.client.activity({
        kind: this.kind || undefined,
        limit: this.limit
      });
      this.error = null;
    } catch (reason) {
      this.error = reason instanceof Error ? reason.message : String(reason);
    }
    this.changedSignal.emit();
  }

  setKind(kind: string): Promise<void> {
    this.kind = kind;
    return this.refresh();
  }

  start(intervalMs: number): void {
    this.stop();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

const PAST: Record<string, string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  cancel: 'canceled',
  archive: 'archived',
  restore: 'restored',
  start: 'started',
  stop: 'stopped',
  regenerate_key: 'regenerated a key of'
};

/** "alice deleted model churn:1 (rest)" */
export function describeEntry(entry: IActivityEntry): string {
  const verb = PAST[entry.action] ?? entry.action;
  return `${entry.user} ${verb} ${entry.kind} ${entry.name} (${entry.door})`;
}
