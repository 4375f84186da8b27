import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IRunActions, RunPanel } from '../components/RunPanel';
import { ChangeFeed, IChangeSet, touchesRun } from '../models/changeFeed';
import { RunModel } from '../models/runModel';

/** One run in the main area; refreshes when it (or a child) changed and follows the log. */
export class RunPanelWidget extends ReactWidget {
  private logTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly model: RunModel,
    private readonly cursor: ChangeFeed,
    private readonly actions: IRunActions,
    intervalMs: number
  ) {
    super();
    this.addClass('jp-mlws-run-widget');
    model.changed.connect(() => this.update(), this);
    cursor.changed.connect(this.onStoreChange, this);
    this.logTimer = setInterval(() => {
      if (model.active) {
        void model.followLog().catch(() => undefined);
      }
    }, intervalMs);
    void model.refresh();
  }

  dispose(): void {
    if (this.logTimer !== null) {
      clearInterval(this.logTimer);
      this.logTimer = null;
    }
    this.cursor.changed.disconnect(this.onStoreChange, this);
    this.model.dispose();
    super.dispose();
  }

  private onStoreChange(_: ChangeFeed, set: IChangeSet): void {
    const model = this.model;
    if (touchesRun(set, model.runId) || model.children.some(c => touchesRun(set, c.id))) {
      void model.refresh();
    }
  }

  render(): JSX.Element {
    return <RunPanel model={this.model} actions={this.actions} />;
  }
}
