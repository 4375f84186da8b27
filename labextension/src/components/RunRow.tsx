import * as React from 'react';

import { IRun } from '../api/types';
import { formatDuration, formatMetric, runDuration } from '../models/format';
import { StatusIcon } from './common';

export function RunRow(props: {
  run: IRun;
  metric: string | null;
  selected: boolean;
  onOpen: (run: IRun) => void;
  onToggle: (run: IRun) => void;
}): JSX.Element {
  const { run, metric } = props;
  return (
    <li
      className="jp-mlws-run-row"
      data-run-id={run.id}
      data-status={run.status}
      title={`${run.experiment}:${run.number} · ${run.status} · ${run.id}`}
    >
      <input
        type="checkbox"
        checked={props.selected}
        aria-label="select for comparison"
        onChange={() => props.onToggle(run)}
      />
      <StatusIcon status={run.status} />
      <button className="jp-mlws-link jp-mlws-run-name" onClick={() => props.onOpen(run)}>
        #{run.number} {run.display_name}
      </button>
      <span className="jp-mlws-run-duration">{formatDuration(runDuration(run))}</span>
      {metric && (
        <span className="jp-mlws-run-metric" title={`latest ${metric}`}>
          <span className="jp-mlws-dim">{metric}</span> {formatMetric(run.metrics[metric])}
        </span>
      )}
    </li>
  );
}
