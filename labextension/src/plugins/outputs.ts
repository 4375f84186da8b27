/**
 * Widget outputs of jupyter-mlws show their live widget when it can be drawn, and the
 * static HTML saved beside it when it cannot (a reopened notebook whose kernel has
 * gone, so "model not found"). The Python side puts three things in each output: the
 * widget view, `text/html` (summary, charts, logged tables and images) and a small
 * `application/vnd.mlws.view+json` marker this renderer is registered for, ahead of
 * the widget renderer in every notebook.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel } from '@lumino/widgets';

export const VIEW_MIME = 'application/vnd.mlws.view+json';
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
const RANK = -20; // before the widget renderer (-10), so this one decides

/** The static HTML first; the live widget replaces it once it has really rendered. */
export class LiveOrStaticRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(private readonly rendermime: IRenderMimeRegistry) {
    super();
    this.addClass('jp-mlws-view');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    for (const child of [...this.widgets]) {
      child.dispose();
    }
    const staticView = this.rendermime.createRenderer('text/html');
    staticView.addClass('jp-mlws-view-static');
    this.addWidget(staticView);
    await staticView.renderModel(model);
    if (!model.data[WIDGET_MIME] || !this.rendermime.getFactory(WIDGET_MIME)) {
      return;
    }
    const live = this.rendermime.createRenderer(WIDGET_MIME);
    live.addClass('jp-mlws-view-live');
    live.addClass('jp-mod-pending'); // laid out (plotly needs a width) but not shown yet
    this.insertWidget(0, live);
    // Not awaited: without a kernel the widget renderer waits forever for its manager,
    // and the static view must stay meanwhile.
    void live.renderModel(model).then(
      () => this.settle(live, staticView),
      () => live.hide()
    );
  }

  private settle(live: IRenderMime.IRenderer, staticView: IRenderMime.IRenderer): void {
    const drawn = live instanceof Panel ? live.widgets.length > 0 : live.node.childElementCount > 0;
    if (drawn) {
      live.removeClass('jp-mod-pending');
      staticView.hide();
    } else {
      live.hide(); // "model not found": the kernel that had it is gone
    }
  }
}

export const outputsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlws:outputs',
  description: 'Shows saved mlws widget outputs as their static HTML when the widget is gone.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (panel: NotebookPanel) => {
        const rendermime = panel.content.rendermime;
        rendermime.addFactory(
          {
            safe: false, // untrusted notebooks get the sanitized text/html instead
            mimeTypes: [VIEW_MIME],
            defaultRank: RANK,
            createRenderer: () => new LiveOrStaticRenderer(rendermime)
          },
          RANK
        );
      }
    });
  }
};
