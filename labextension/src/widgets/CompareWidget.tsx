import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { MlwsClient } from '../api/client';
import { IRun } from '../api/types';
import { ComparePanel } from '../components/ComparePanel';

export class CompareWidget extends ReactWidget {
  constructor(
    readonly runs: IRun[],
    private readonly client: MlwsClient,
    private readonly maxPoints: number
  ) {
    super();
    this.addClass('jp-mlws-compare-widget');
  }

  render(): JSX.Element {
    return (
      <ComparePanel
        runs={this.runs}
        loadSeries={(run, key) => this.client.metricHistory(run.id, key, this.maxPoints)}
      />
    );
  }
}
