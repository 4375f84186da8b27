/**
 * The JupyterLab transport of the API client: the server connection handles the base
 * URL, the token or cookie, and XSRF.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ITransport, MlwsClient } from './client';

export class ServerTransport implements ITransport {
  constructor(private readonly settings: ServerConnection.ISettings) {}

  request(path: string, init: RequestInit): Promise<Response> {
    // Join only the path: URL joining normalises segments, the query must stay as is.
    const cut = path.indexOf('?');
    const route = cut < 0 ? path : path.slice(0, cut);
    const query = cut < 0 ? '' : path.slice(cut);
    const url = URLExt.join(this.settings.baseUrl, route) + query;
    return ServerConnection.makeRequest(url, init, this.settings);
  }
}

export function createClient(settings: ServerConnection.ISettings): MlwsClient {
  return new MlwsClient(new ServerTransport(settings));
}
