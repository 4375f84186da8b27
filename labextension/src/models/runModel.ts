/**
 * One run as its panel shows it: details, latest metrics, charts' series, the log
 * (followed by offset while the run is active), files and children.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { MlwsClient } from '../api/client';
import {
  IFileEntry,
  ILatestMetric,
  ILoggedValue,
  IMetricSeries,
  IRun,
  IRunDetails
} from '../api/types';
import { IPipelineRunView, ISweepView } from '../api/kindTypes';
import { isTerminal } from './format';

const MAX_LOG_CHARS = 2_000_000;

export class RunModel {
  run: IRunDetails | null = null;
  metrics: ILatestMetric[] = [];
  series: Record<string, IMetricSeries> = {};
  files: IFileEntry[] = [];
  /** Tables (rows gathered), lists, strings and images the run logged, by name. */
  logged: ILoggedGroup[] = [];
  /** Object URLs of logged images, by artifact path (fetched once each). */
  images: Record<string, string> = {};
  children: IRun[] = [];
  /** A sweep's trials (sweep runs only). */
  sweep: ISweepView | null = null;
  /** A pipeline run's steps (pipeline runs only). */
  pipeline: IPipelineRunView | null = null;
  log = '';
  error: string | null = null;
  private logOffset = 0;
  private loggedCount = -1;
  private seriesCounts: Record<string, number> = {};
  private readonly changedSignal = new Signal<this, void>(this);

  constructor(
    private readonly client: MlwsClient,
    readonly runId: string,
    public maxPoints: number
  ) {}

  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  get active(): boolean {
    return this.run !== null && !isTerminal(this.run.status);
  }

  /** Refreshes everything that changed; cheap when nothing did. */
  async refresh(): Promise<void> {
    try {
      this.run = await this.client.run(this.runId);
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.changedSignal.emit();
      return;
    }
    // Each part shows as soon as it arrives; one failing part does not hide the others.
    const parts = [
      this.refreshMetrics(),
      this.followLog(),
      this.refreshFiles(),
      this.refreshLogged(),
      this.refreshKindView()
    ];
    const results = await Promise.allSettled(parts);
    const failed = results.find(r => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      this.error = String(failed.reason?.message ?? failed.reason);
    }
    this.changedSignal.emit();
  }

  /** Only the log: what the panel polls while the run is active. */
  async followLog(): Promise<boolean> {
    const piece = await this.client.log(this.runId, this.logOffset);
    this.logOffset = piece.next_offset;
    if (!piece.text) {
      return false;
    }
    this.log = (this.log + piece.text).slice(-MAX_LOG_CHARS);
    this.changedSignal.emit();
    return true;
  }

  private async refreshMetrics(): Promise<void> {
    this.metrics = await this.client.metrics(this.runId);
    const stale = this.metrics.filter(m => this.seriesCounts[m.key] !== m.count);
    const loaded = await Promise.all(
      stale.map(m => this.client.metricHistory(this.runId, m.key, this.maxPoints))
    );
    loaded.forEach((series, i) => {
      this.series = { ...this.series, [series.key]: series };
      this.seriesCounts[series.key] = stale[i].count;
    });
    this.changedSignal.emit();
  }

  /** A sweep's trials or a pipeline's steps: one request, only for those kinds. */
  private async refreshKindView(): Promise<void> {
    const kind = this.run?.kind;
    if (kind === 'sweep') {
      this.sweep = await this.client.sweep(this.runId);
    } else if (kind === 'pipeline') {
      this.pipeline = await this.client.pipelineRun(this.runId);
    }
  }

  private async refreshLogged(): Promise<void> {
    const values = await this.client.values(this.runId);
    if (values.length === this.loggedCount) {
      return;
    }
    this.loggedCount = values.length;
    this.logged = groupLogged(values);
    const paths = values
      .filter(v => v.kind === 'image')
      .map(v => String((v.value as { path?: string }).path ?? ''))
      .filter(path => path && !(path in this.images));
    const blobs = await Promise.all(paths.map(p => this.client.downloadArtifact(this.runId, p)));
    blobs.forEach((blob, i) => {
      this.images = { ...this.images, [paths[i]]: URL.createObjectURL(blob) };
    });
  }

  /** Frees the image URLs (the panel is closing). */
  dispose(): void {
    Object.values(this.images).forEach(url => URL.revokeObjectURL(url));
    this.images = {};
  }

  private async refreshFiles(): Promise<void> {
    const run = this.run;
    if (run === null) {
      return;
    }
    this.files = await this.client.artifacts(this.runId);
    if (run.has_children) {
      const page = await this.client.runs({
        parentId: this.runId,
        sort: 'number',
        order: 'asc',
        limit: 200
      });
      this.children = page.runs;
    }
  }

  /** The output notebook a notebook run wrote, if any. */
  get outputNotebook(): string | null {
    const declared = this.run?.properties['mlws.notebook.output'];
    if (declared && this.files.some(f => f.path === declared)) {
      return declared;
    }
    const notebooks = this.files.filter(f => f.path.endsWith('.ipynb'));
    return notebooks.length ? notebooks[0].path : null;
  }
}

export interface ILoggedGroup {
  name: string;
  kind: ILoggedValue['kind'];
  /** Rows logged one by one or the last table, as columns; null for other kinds. */
  columns: Record<string, unknown[]> | null;
  /** Image artifact paths, in logging order. */
  images: string[];
  /** Lists and strings, as text. */
  text: string[];
}

/** Values by name: rows become one table, the last whole table wins, images in order. */
export function groupLogged(values: ILoggedValue[]): ILoggedGroup[] {
  const byName = new Map<string, ILoggedValue[]>();
  for (const value of values) {
    byName.set(value.key, [...(byName.get(value.key) ?? []), value]);
  }
  return Array.from(byName, ([name, items]) => {
    const last = items[items.length - 1];
    const group: ILoggedGroup = { name, kind: last.kind, columns: null, images: [], text: [] };
    if (last.kind === 'table') {
      group.columns = last.value as Record<string, unknown[]>;
    } else if (last.kind === 'row') {
      const rows = items.filter(i => i.kind === 'row').map(i => i.value as Record<string, unknown>);
      const names = Array.from(new Set(rows.flatMap(r => Object.keys(r))));
      group.columns = Object.fromEntries(names.map(n => [n, rows.map(r => r[n])]));
    } else if (last.kind === 'image') {
      group.images = items.map(i => String((i.value as { path?: string }).path ?? ''));
    } else {
      group.text = items.map(i => (Array.isArray(i.value) ? i.value.join(', ') : String(i.value)));
    }
    return group;
  });
}
