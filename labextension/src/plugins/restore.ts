/**
 * Run and compare panels come back after a page reload: each open panel is tracked,
 * and the layout restorer reopens it through the same command that opened it.
 */
import { ILayoutRestorer } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { CommandIDs } from '../tokens';
import { CompareWidget } from '../widgets/CompareWidget';
import { RunPanelWidget } from '../widgets/RunPanelWidget';

export interface IPanelTrackers {
  runs: WidgetTracker<MainAreaWidget<RunPanelWidget>>;
  compares: WidgetTracker<MainAreaWidget<CompareWidget>>;
}

/** What the restorer saves for a compare panel: its runs, in order. */
export function compareName(runIds: string[]): string {
  return runIds.join(',');
}

export function trackPanels(restorer: ILayoutRestorer | null): IPanelTrackers {
  const runs = new WidgetTracker<MainAreaWidget<RunPanelWidget>>({ namespace: 'mlws-run' });
  const compares = new WidgetTracker<MainAreaWidget<CompareWidget>>({
    namespace: 'mlws-compare'
  });
  if (restorer) {
    void restorer.restore(runs, {
      command: CommandIDs.openRun,
      args: panel => ({ runId: panel.content.model.runId }),
      name: panel => panel.content.model.runId
    });
    void restorer.restore(compares, {
      command: CommandIDs.compare,
      args: panel => ({ runIds: panel.content.runs.map(r => r.id) }),
      name: panel => compareName(panel.content.runs.map(r => r.id))
    });
  }
  return { runs, compares };
}
