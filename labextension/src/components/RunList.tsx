import * as React from 'react';

import { IRun } from '../api/types';
import { primaryMetric } from '../models/format';
import { RunListModel } from '../models/runList';
import { ErrorNote } from './common';
import { RunRow } from './RunRow';

const SORTS: Array<[string, string]> = [
  ['created', 'newest'],
  ['number', 'number'],
  ['status', 'status'],
  ['name', 'name']
];

export function RunList(props: {
  list: RunListModel;
  search: string;
  preferredMetric: string;
  selected: ReadonlyMap<string, IRun>;
  onOpen: (run: IRun) => void;
  onToggle: (run: IRun) => void;
}): JSX.Element {
  const { list } = props;
  const runs = list.visible(props.search);
  const metric = primaryMetric(list.runs, props.preferredMetric);
  const sorts = metric ? [...SORTS, [`metric:${metric}`, metric] as [string, string]] : SORTS;
  return (
    <div className="jp-mlws-run-list">
      <div className="jp-mlws-run-list-toolbar">
        <label>
          sort
          <select value={list.sort} onChange={e => void list.sortBy(e.target.value)}>
            {sorts.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button
          className="jp-mlws-link"
          title="flip the order"
          onClick={() => void list.sortBy(list.sort)}
        >
          {list.order === 'desc' ? '↓' : '↑'}
        </button>
      </div>
      <ErrorNote message={list.error} />
      <ul className="jp-mlws-runs">
        {runs.map(run => (
          <RunRow
            key={run.id}
            run={run}
            metric={metric}
            selected={props.selected.has(run.id)}
            onOpen={props.onOpen}
            onToggle={props.onToggle}
          />
        ))}
        {!runs.length && !list.loading && <li className="jp-mlws-empty">no runs</li>}
      </ul>
      {(list.hasPrevious || list.hasNext) && (
        <div className="jp-mlws-pager">
          <button disabled={!list.hasPrevious} onClick={() => void list.previousPage()}>
            ‹ prev
          </button>
          <span>page {list.page}</span>
          <button disabled={!list.hasNext} onClick={() => void list.nextPage()}>
            next ›
          </button>
        </div>
      )}
    </div>
  );
}
