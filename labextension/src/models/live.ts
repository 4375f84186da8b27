/**
 * The change cursor, polled: views refresh when the store changed (runs are separate
 * processes, so the server notices changes in the store rather than being told).
 */
import { ISignal, Signal } from '@lumino/signaling';

import { MlwsClient } from '../api/client';

export class LiveCursor {
  private cursor: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly changedSignal = new Signal<this, string>(this);
  private disposed = false;

  constructor(
    private readonly client: MlwsClient,
    private intervalMs: number
  ) {}

  /** Emits the new cursor whenever it moved since the previous check. */
  get changed(): ISignal<this, string> {
    return this.changedSignal;
  }

  /** Asks once; returns whether something changed. */
  async check(): Promise<boolean> {
    const next = await this.client.changes();
    const moved = this.cursor !== null && next !== this.cursor;
    this.cursor = next;
    if (moved) {
      this.changedSignal.emit(next);
    }
    return moved;
  }

  start(): void {
    if (this.timer !== null || this.disposed) {
      return;
    }
    const tick = async () => {
      try {
        await this.check();
      } catch (error) {
        console.warn('mlws: change cursor unavailable', error);
      }
      if (!this.disposed) {
        this.timer = setTimeout(tick, this.intervalMs);
      }
    };
    this.timer = setTimeout(tick, 0);
  }

  setInterval(ms: number): void {
    this.intervalMs = Math.max(100, ms);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    Signal.clearData(this);
  }
}
