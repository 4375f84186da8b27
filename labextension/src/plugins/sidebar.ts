import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, showErrorMessage } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { LabIcon } from '@jupyterlab/ui-components';

import { IComputeTarget, IFileEntry, IRun } from '../api/types';
import { RunModel } from '../models/runModel';
import { SidebarModel } from '../models/sidebar';
import { CommandIDs, IMlws } from '../tokens';
import { CompareWidget } from '../widgets/CompareWidget';
import { RunPanelWidget } from '../widgets/RunPanelWidget';
import { SidebarWidget } from '../widgets/SidebarWidget';
import { trackPanels } from './restore';

export const mlwsIcon = new LabIcon({
  name: 'jupyter-mlws:logo',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M3 20h18v2H3zM5 10h3v8H5zm5.5-4h3v12h-3zM16 13h3v5h-3z"/></g></svg>'
});

function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function report(action: Promise<unknown>, what: string): Promise<void> {
  try {
    await action;
  } catch (error) {
    await showErrorMessage(`ML Workspace: ${what}`, String(error));
  }
}

/** The "ML Workspace" sidebar, the run panel and the compare panel. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlws:sidebar',
  description: 'The ML Workspace sidebar with run and compare panels.',
  autoStart: true,
  requires: [IMlws],
  optional: [ILayoutRestorer, IDocumentManager],
  activate: (
    app: JupyterFrontEnd,
    mlws: IMlws,
    restorer: ILayoutRestorer | null,
    docManager: IDocumentManager | null
  ) => {
    const { client, cursor, settings } = mlws;
    const model = new SidebarModel(client, settings.pageSize || 50);
    const panels = new Map<string, MainAreaWidget<RunPanelWidget>>();
    const trackers = trackPanels(restorer);

    const openRun = (runId: string) => {
      const open = panels.get(runId);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return;
      }
      const runModel = new RunModel(client, runId, settings.chartMaxPoints || 2000);
      const content = new RunPanelWidget(
        runModel,
        cursor,
        {
          cancel: () => void report(client.cancel(runId).then(() => runModel.refresh()), 'cancel'),
          rerun: () =>
            void report(
              client.rerun(runId).then(run => openRun(run.id)),
              're-run'
            ),
          downloadSnapshot: () =>
            void report(
              client
                .downloadSnapshot(runId)
                .then(blob => saveBlob(blob, `${runModel.run?.experiment}-${runModel.run?.number}-snapshot.zip`)),
              'download snapshot'
            ),
          download: (file: IFileEntry) =>
            void report(
              client
                .downloadArtifact(runId, file.path)
                .then(blob => saveBlob(blob, file.path.split('/').pop() ?? 'file')),
              'download'
            ),
          openNotebook: (path: string) =>
            void report(
              client.openNotebook(runId, path).then(copy => docManager?.openOrReveal(copy)),
              'open notebook'
            ),
          openRun: (run: { id: string }) => openRun(run.id)
        },
        settings.refreshIntervalMs || 1000
      );
      const widget = new MainAreaWidget({ content });
      widget.id = `mlws-run-${runId}`;
      widget.title.label = 'Run';
      widget.title.icon = mlwsIcon;
      widget.title.closable = true;
      runModel.changed.connect(() => {
        const run = runModel.run;
        if (run) {
          widget.title.label = `${run.experiment} #${run.number}`;
          widget.title.caption = `${run.display_name} · ${run.status}`;
        }
      });
      panels.set(runId, widget);
      widget.disposed.connect(() => panels.delete(runId));
      void trackers.runs.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
    };

    app.commands.addCommand(CommandIDs.openRun, {
      label: 'Open ML Workspace run',
      execute: args => openRun(String(args.runId))
    });
    app.commands.addCommand(CommandIDs.compare, {
      label: 'Compare runs',
      execute: async args => {
        const ids = (args.runIds as string[] | undefined) ?? [...model.selected.keys()];
        const runs = await Promise.all(ids.map(id => client.run(id)));
        const widget = new MainAreaWidget({
          content: new CompareWidget(runs, client, settings.chartMaxPoints || 2000)
        });
        widget.id = `mlws-compare-${Date.now()}`;
        widget.title.label = `Compare ${runs.length} runs`;
        widget.title.icon = mlwsIcon;
        widget.title.closable = true;
        void trackers.compares.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh ML Workspace',
      execute: () => model.refresh()
    });

    const sidebar = new SidebarWidget(model, settings, {
      openRun: (run: IRun) => openRun(run.id),
      compare: (runs: IRun[]) =>
        void app.commands.execute(CommandIDs.compare, { runIds: runs.map(r => r.id) }),
      computeAction: (target: IComputeTarget, action: 'start' | 'stop') =>
        void report(
          client.computeAction(target.name, action).then(() => model.refresh()),
          `${action} ${target.name}`
        ),
      refresh: () => void model.refresh()
    });
    sidebar.id = 'jp-mlws-sidebar';
    sidebar.title.icon = mlwsIcon;
    sidebar.title.caption = 'ML Workspace';
    app.shell.add(sidebar, 'left', { rank: 600, type: 'ML Workspace' });
    restorer?.add(sidebar, 'jp-mlws-sidebar');
    cursor.changed.connect((_, set) => void model.refreshChanged(set));
    void model.refresh();
  }
};
