/**
 * The change feed, polled: the server names what changed since the last answer (runs
 * by id, and whole lists), so views refetch only that. Runs are separate processes,
 * so the server notices changes in the store rather than being told.
 *
 * Polling is a Lumino `Poll`: it stands by while the tab is hidden and backs off
 * while the server does not answer.
 */
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { MlwsClient } from '../api/client';
import { IChange } from '../api/types';

export type ListKind = 'experiments' | 'targets' | 'models' | 'endpoints';

export interface IChangeSet {
  /** Runs whose record changed (status, tags, …). */
  readonly runs: ReadonlySet<string>;
  /** Runs that got metric points. */
  readonly metrics: ReadonlySet<string>;
  /** Experiments a changed run belongs to (their run lists may have moved). */
  readonly experiments: ReadonlySet<number>;
  /** Whole lists whose contents changed. */
  readonly lists: ReadonlySet<ListKind>;
}

export function isEmpty(set: IChangeSet): boolean {
  return !set.runs.size && !set.metrics.size && !set.experiments.size && !set.lists.size;
}

/** Does `set` touch this run (its record or its metrics)? */
export function touchesRun(set: IChangeSet, runId: string): boolean {
  return set.runs.has(runId) || set.metrics.has(runId);
}

const MAX_REMEMBERED = 10_000;

/**
 * Remembers the version of everything seen, so that a change the server reports again
 * (it looks back a little, for writes that committed late) counts once.
 */
export class ChangeTracker {
  private readonly seen = new Map<string, number>();

  accept(changes: IChange[]): IChangeSet {
    const set = {
      runs: new Set<string>(),
      metrics: new Set<string>(),
      experiments: new Set<number>(),
      lists: new Set<ListKind>()
    };
    for (const change of changes) {
      const key = `${change.kind}:${change.run_id ?? ''}`;
      if (this.seen.get(key) === change.version) {
        continue;
      }
      this.remember(key, change.version);
      if (change.kind === 'run' && change.run_id) {
        set.runs.add(change.run_id);
        if (change.experiment_id !== undefined) {
          set.experiments.add(change.experiment_id);
        }
      } else if (change.kind === 'metrics' && change.run_id) {
        set.metrics.add(change.run_id);
      } else if (change.kind !== 'run' && change.kind !== 'metrics') {
        set.lists.add(change.kind);
      }
    }
    return set;
  }

  private remember(key: string, version: number): void {
    this.seen.delete(key); // re-insert: the map's order is "least recently changed" first
    this.seen.set(key, version);
    if (this.seen.size > MAX_REMEMBERED) {
      this.seen.delete(this.seen.keys().next().value as string);
    }
  }
}

export class ChangeFeed {
  private cursor: string | null = null;
  private readonly tracker = new ChangeTracker();
  private readonly changedSignal = new Signal<this, IChangeSet>(this);
  private readonly poll: Poll;

  constructor(
    private readonly client: MlwsClient,
    intervalMs: number
  ) {
    this.poll = new Poll({
      auto: false,
      factory: () => this.check(),
      frequency: ChangeFeed.frequency(intervalMs),
      name: 'jupyter-mlws:changes',
      standby: 'when-hidden'
    });
  }

  /** Emits what changed, whenever something did since the previous check. */
  get changed(): ISignal<this, IChangeSet> {
    return this.changedSignal;
  }

  get isDisposed(): boolean {
    return this.poll.isDisposed;
  }

  /** Asks once; returns what changed (and emits it when that is not nothing). */
  async check(): Promise<IChangeSet> {
    const feed = await this.client.changes(this.cursor);
    this.cursor = feed.cursor;
    const set = this.tracker.accept(feed.changes);
    if (!isEmpty(set)) {
      this.changedSignal.emit(set);
    }
    return set;
  }

  start(): void {
    if (!this.poll.isDisposed) {
      void this.poll.start();
    }
  }

  setInterval(ms: number): void {
    this.poll.frequency = ChangeFeed.frequency(ms);
  }

  dispose(): void {
    if (this.poll.isDisposed) {
      return;
    }
    this.poll.dispose();
    Signal.clearData(this);
  }

  private static frequency(ms: number): IPoll.Frequency {
    const interval = Math.max(100, ms);
    return { interval, backoff: true, max: Math.max(30_000, interval) };
  }
}
