import * as React from 'react';

import { ILoggedGroup } from '../models/runModel';

const MAX_ROWS = 200;

function cell(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** One logged table as an HTML table (columns as logged, first rows only). */
export function LoggedTable(props: { columns: Record<string, unknown[]> }): JSX.Element {
  const names = Object.keys(props.columns);
  const length = Math.max(0, ...names.map(n => props.columns[n].length));
  const rows = Array.from({ length: Math.min(length, MAX_ROWS) }, (_, i) => i);
  return (
    <>
      <table className="jp-mlws-table">
        <thead>
          <tr>
            {names.map(n => (
              <th key={n}>{n}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(i => (
            <tr key={i}>
              {names.map(n => (
                <td key={n}>{cell(props.columns[n][i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {length > MAX_ROWS && (
        <p className="jp-mlws-dim">
          first {MAX_ROWS} of {length} rows
        </p>
      )}
    </>
  );
}

/** Tables, images, lists and strings a run logged, one titled block per name. */
export function LoggedValues(props: {
  groups: ILoggedGroup[];
  images: Record<string, string>;
}): JSX.Element {
  if (!props.groups.length) {
    return <p className="jp-mlws-empty">no tables or images logged</p>;
  }
  return (
    <div className="jp-mlws-logged-list">
      {props.groups.map(group => (
        <div
          key={group.name}
          className="jp-mlws-logged"
          data-name={group.name}
          data-kind={group.kind}
        >
          <h4>
            {group.name} <span className="jp-mlws-dim">{group.kind}</span>
          </h4>
          {group.columns && <LoggedTable columns={group.columns} />}
          {group.images.map(path =>
            props.images[path] ? (
              <img key={path} className="jp-mlws-image" src={props.images[path]} alt={path} />
            ) : (
              <p key={path} className="jp-mlws-dim">
                loading {path}…
              </p>
            )
          )}
          {group.text.map((text, i) => (
            <p key={i}>{text}</p>
          ))}
        </div>
      ))}
    </div>
  );
}
