/**
 * The shared service every mlws plugin uses, as a token so it can be replaced.
 */
import { Token } from '@lumino/coreutils';

import { MlwsClient } from './api/client';
import { ChangeFeed } from './models/changeFeed';

export interface IMlwsSettings {
  refreshIntervalMs: number;
  pageSize: number;
  primaryMetric: string;
  chartMaxPoints: number;
}

export interface IMlws {
  readonly client: MlwsClient;
  /** The polled change feed; views refetch what it says changed. */
  readonly cursor: ChangeFeed;
  readonly settings: IMlwsSettings;
}

export const IMlws = new Token<IMlws>('jupyter-mlws:IMlws', 'The ML Workspace API client');

export namespace CommandIDs {
  export const openRun = 'mlws:open-run';
  export const compare = 'mlws:compare';
  export const refresh = 'mlws:refresh';
  export const runAsExperiment = 'mlws:run-as-experiment';
}
