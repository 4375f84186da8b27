import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';

import { CommandIDs, IMlws } from '../tokens';
import { runAsExperiment } from '../widgets/RunDialog';
import { mlwsIcon } from './sidebar';

/**
 * "Run as experiment…" on notebooks: the notebook toolbar and the file browser's
 * context menu (both declared in schema/run-as-experiment.json) run this command.
 */
export const runAsExperimentPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlws:run-as-experiment',
  description: 'Submit a notebook as an ML Workspace run.',
  autoStart: true,
  requires: [IMlws],
  optional: [INotebookTracker, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    mlws: IMlws,
    notebooks: INotebookTracker | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const target = (source: unknown): string | null => {
      if (source === 'filebrowser' && browser) {
        const item = browser.selectedItems().next();
        const model = item && !item.done ? item.value : null;
        return model && model.path.endsWith('.ipynb') ? model.path : null;
      }
      return notebooks?.currentWidget?.context.path ?? null;
    };
    app.commands.addCommand(CommandIDs.runAsExperiment, {
      label: 'Run as experiment…',
      caption: 'Submit this notebook as an ML Workspace run',
      icon: args => (args.source === 'filebrowser' ? undefined : mlwsIcon),
      isEnabled: args => target(args.source) !== null,
      execute: async args => {
        const path = typeof args.path === 'string' ? args.path : target(args.source);
        if (!path) {
          return;
        }
        const panel = notebooks?.currentWidget;
        if (panel && panel.context.path === path && panel.context.model.dirty) {
          await panel.context.save();
        }
        try {
          const run = await runAsExperiment(mlws.client, path);
          if (run) {
            await app.commands.execute(CommandIDs.openRun, { runId: run.id });
          }
        } catch (error) {
          await showErrorMessage('Run as experiment', String(error));
        }
      }
    });
  }
};
