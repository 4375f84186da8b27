import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISidebarActions, Sidebar } from '../components/Sidebar';
import { SidebarModel } from '../models/sidebar';
import { IMlwsSettings } from '../tokens';

/** The "ML Workspace" left panel: a thin Lumino wrapper of the React sidebar. */
export class SidebarWidget extends ReactWidget {
  constructor(
    readonly model: SidebarModel,
    private readonly settings: IMlwsSettings,
    private readonly actions: ISidebarActions
  ) {
    super();
    this.addClass('jp-mlws-sidebar-widget');
    model.changed.connect(() => this.update(), this);
  }

  render(): JSX.Element {
    return (
      <Sidebar
        model={this.model}
        preferredMetric={this.settings.primaryMetric}
        actions={this.actions}
      />
    );
  }
}
