/**
 * What the sidebar shows: experiments (each with a run list when expanded), compute
 * targets, models and endpoints, the search text, and the runs ticked for comparing.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError, MlwsClient } from '../api/client';
import { IComputeTarget, IEndpoint, IExperiment, IModelVersion, IRun } from '../api/types';
import { IEnvironmentVersion } from '../api/environmentTypes';
import { IChangeSet, ListKind, touchesRun } from './changeFeed';
import { RunListModel } from './runList';

export class SidebarModel {
  experiments: IExperiment[] = [];
  targets: IComputeTarget[] = [];
  models: IModelVersion[] = [];
  endpoints: IEndpoint[] = [];
  environments: IEnvironmentVersion[] = [];
  search = '';
  error: string | null = null;
  loaded = false;
  readonly runLists = new Map<number, RunListModel>();
  readonly selected = new Map<string, IRun>();
  private readonly changedSignal = new Signal<this, void>(this);

  constructor(
    readonly client: MlwsClient,
    public pageSize: number
  ) {}

  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  /** Experiments whose name matches the search, or that have matching loaded runs. */
  get visibleExperiments(): IExperiment[] {
    const needle = this.search.trim().toLowerCase();
    if (!needle) {
      return this.experiments;
    }
    return this.experiments.filter(
      exp =>
        exp.name.toLowerCase().includes(needle) ||
        (this.runLists.get(exp.id)?.visible(this.search).length ?? 0) > 0
    );
  }

  async refresh(): Promise<void> {
    try {
      const [experiments, targets, models, endpoints, environments] = await Promise.all([
        this.client.experiments(),
        this.client.computeTargets(),
        optional(this.client.models()),
        optional(this.client.endpoints()),
        optional(this.client.environments())
      ]);
      this.environments = environments;
      this.experiments = experiments;
      this.targets = targets;
      this.models = models;
      this.endpoints = endpoints;
      this.error = null;
      await Promise.all([...this.runLists.values()].map(list => list.reload()));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.loaded = true;
    this.changedSignal.emit();
  }

  /** Refetches only what `set` says changed: those lists, and the run lists that show
   * (or may now show) a changed run. */
  async refreshChanged(set: IChangeSet): Promise<void> {
    const fetchers: Record<ListKind, () => Promise<void>> = {
      experiments: async () => {
        this.experiments = await this.client.experiments();
      },
      targets: async () => {
        this.targets = await this.client.computeTargets();
      },
      models: async () => {
        this.models = await optional(this.client.models());
      },
      endpoints: async () => {
        this.endpoints = await optional(this.client.endpoints());
      }
    };
    const stale = [...this.runLists.values()].filter(
      list => set.experiments.has(list.experimentId) || list.runs.some(r => touchesRun(set, r.id))
    );
    try {
      await Promise.all([...set.lists].map(kind => fetchers[kind]()));
      this.error = null;
      await Promise.all(stale.map(list => list.reload()));
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.changedSignal.emit();
  }

  async toggleExperiment(id: number): Promise<void> {
    if (this.runLists.has(id)) {
      this.runLists.delete(id);
      this.changedSignal.emit();
      return;
    }
    const list = new RunListModel(this.client, id, this.pageSize);
    list.changed.connect(() => this.changedSignal.emit());
    this.runLists.set(id, list);
    await list.reload();
  }

  setSearch(text: string): void {
    this.search = text;
    this.changedSignal.emit();
  }

  toggleSelected(run: IRun): void {
    if (this.selected.has(run.id)) {
      this.selected.delete(run.id);
    } else {
      this.selected.set(run.id, run);
    }
    this.changedSignal.emit();
  }

  clearSelection(): void {
    this.selected.clear();
    this.changedSignal.emit();
  }
}

/** Models and endpoints are optional features of a server: missing ones are empty. */
async function optional<T>(request: Promise<T[]>): Promise<T[]> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.isNotFound) {
      return [];
    }
    throw error;
  }
}
