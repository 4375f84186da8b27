/**
 * One experiment's runs as the sidebar pages through them: sort, order, page tokens
 * (a stack, so "previous" works), and a search over the loaded page.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { MlwsClient } from '../api/client';
import { IRun } from '../api/types';
import { matchesSearch } from './format';

export class RunListModel {
  runs: IRun[] = [];
  sort = 'created';
  order: 'asc' | 'desc' = 'desc';
  error: string | null = null;
  loading = false;
  private tokens: Array<string | null> = [null]; // token of each visited page
  private next: string | null = null;
  private readonly changedSignal = new Signal<this, void>(this);

  constructor(
    private readonly client: MlwsClient,
    readonly experimentId: number,
    public pageSize: number
  ) {}

  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  get page(): number {
    return this.tokens.length;
  }

  get hasNext(): boolean {
    return this.next !== null;
  }

  get hasPrevious(): boolean {
    return this.tokens.length > 1;
  }

  visible(search: string): IRun[] {
    return this.runs.filter(run => matchesSearch(run, search));
  }

  /** Reloads the current page (what live updates call). */
  async reload(): Promise<void> {
    this.loading = true;
    try {
      const page = await this.client.runs({
        experiment: this.experimentId,
        sort: this.sort,
        order: this.order,
        limit: this.pageSize,
        pageToken: this.tokens[this.tokens.length - 1]
      });
      this.runs = page.runs;
      this.next = page.next_page_token;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
      this.changedSignal.emit();
    }
  }

  async nextPage(): Promise<void> {
    if (this.next === null) {
      return;
    }
    this.tokens.push(this.next);
    await this.reload();
  }

  async previousPage(): Promise<void> {
    if (this.tokens.length > 1) {
      this.tokens.pop();
      await this.reload();
    }
  }

  /** Sort by a column or `metric:KEY`; clicking the same sort again flips the order. */
  async sortBy(sort: string): Promise<void> {
    if (sort === this.sort) {
      this.order = this.order === 'desc' ? 'asc' : 'desc';
    } else {
      this.sort = sort;
      this.order = sort.startsWith('metric:') || sort === 'name' ? 'asc' : 'desc';
    }
    this.tokens = [null];
    await this.reload();
  }
}
