/**
 * The shared service every mlws plugin uses, as a token so it can be replaced.
 */
import { Token } from '@lumino/coreutils';

import { MlwsClient } from './api/client';
import { LiveCursor } from './models/live';

export interface IMlwsSettings {
  refreshIntervalMs: number;
  pageSize: number;
  primaryMetric: string;
  chartMaxPoints: number;
}

export interface IMlws {
  readonly client: MlwsClient;
  /** Polled change cursor; views refresh when it moves. */
  readonly cursor: LiveCursor;
  readonly settings: IMlwsSettings;
}

export const IMlws = new Token<IMlws>('jupyter-mlws:IMlws', 'The ML Workspace API client');

export namespace CommandIDs {
  export const openRun = 'mlws:open-run';
  export const compare = 'mlws:compare';
  export const refresh = 'mlws:refresh';
  export const runAsExperiment = 'mlws:run-as-experiment';
}
