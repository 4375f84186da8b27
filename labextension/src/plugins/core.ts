import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { ApiError } from '../api/client';
import { createClient } from '../api/transport';
import { ChangeFeed } from '../models/changeFeed';
import { IMlws, IMlwsSettings } from '../tokens';

const PLUGIN_ID = 'jupyter-mlws:core';

/** The API client, the live change feed and the user's settings, shared by all. */
export const corePlugin: JupyterFrontEndPlugin<IMlws> = {
  id: PLUGIN_ID,
  description: 'The ML Workspace API client and live change feed.',
  autoStart: true,
  provides: IMlws,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, registry: ISettingRegistry | null): IMlws => {
    const client = createClient(app.serviceManager.serverSettings);
    const settings: IMlwsSettings = {
      refreshIntervalMs: 0,
      pageSize: 0,
      primaryMetric: '',
      chartMaxPoints: 0
    };
    const cursor = new ChangeFeed(client, 1000);
    const apply = (user: Partial<IMlwsSettings>, server: Partial<IMlwsSettings>) => {
      for (const key of Object.keys(settings) as Array<keyof IMlwsSettings>) {
        const value = user[key] || server[key] || settings[key];
        (settings as unknown as Record<string, unknown>)[key] = value;
      }
      cursor.setInterval(settings.refreshIntervalMs || 1000);
    };
    void Promise.all([
      client.workspace(),
      registry ? registry.load(PLUGIN_ID) : Promise.resolve(null)
    ]).then(
      ([info, loaded]) => {
        const server = {
          refreshIntervalMs: info.settings.refresh_interval_ms,
          pageSize: info.settings.page_size,
          chartMaxPoints: info.settings.chart_max_points
        };
        const read = () => (loaded?.composite ?? {}) as Partial<IMlwsSettings>;
        apply(read(), server);
        loaded?.changed.connect(() => apply(read(), server));
        cursor.start();
      },
      (error: unknown) => {
        const missing = error instanceof ApiError && error.isNotFound;
        void showErrorMessage(
          'ML Workspace',
          missing
            ? 'The mlws server extension is not enabled: run `jupyter server extension ' +
                'enable jupyter_mlws.server` and restart JupyterLab.'
            : `The ML Workspace API is not available: ${String(error)}`
        );
      }
    );
    return { client, cursor, settings };
  }
};
