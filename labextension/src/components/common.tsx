import * as React from 'react';

import { MetricValue, RunStatus } from '../api/types';
import { formatMetric, statusIcon } from '../models/format';

export function StatusIcon(props: { status: RunStatus }): JSX.Element {
  const { mark, tone } = statusIcon(props.status);
  return (
    <span className={`jp-mlws-status jp-mlws-status-${tone}`} title={props.status}>
      {mark}
    </span>
  );
}

export function Section(props: {
  title: string;
  count?: number;
  children: React.ReactNode;
  initiallyOpen?: boolean;
  testId?: string;
}): JSX.Element {
  const [open, setOpen] = React.useState(props.initiallyOpen ?? true);
  return (
    <div className="jp-mlws-section" data-testid={props.testId}>
      <button className="jp-mlws-section-header" onClick={() => setOpen(!open)}>
        <span className="jp-mlws-caret">{open ? '▾' : '▸'}</span>
        {props.title}
        {props.count !== undefined && <span className="jp-mlws-count">{props.count}</span>}
      </button>
      {open && <div className="jp-mlws-section-body">{props.children}</div>}
    </div>
  );
}

export function KeyValueTable(props: {
  title: string;
  values: Record<string, string | MetricValue>;
}): JSX.Element | null {
  const entries = Object.entries(props.values);
  if (!entries.length) {
    return null;
  }
  return (
    <div className="jp-mlws-kv">
      <h3>{props.title}</h3>
      <table>
        <tbody>
          {entries
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => (
              <tr key={key}>
                <th>{key}</th>
                <td>{typeof value === 'string' ? value : formatMetric(value)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

export function ErrorNote(props: { message: string | null }): JSX.Element | null {
  return props.message ? <div className="jp-mlws-error">{props.message}</div> : null;
}
