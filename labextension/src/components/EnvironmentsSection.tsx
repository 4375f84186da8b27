/** The sidebar's Environments section: every version with its build state. */
import * as React from 'react';

import { IEnvironmentVersion } from '../api/environmentTypes';
import { Section } from './common';

function size(bytes: number | null): string {
  if (bytes === null) {
    return '';
  }
  const mb = bytes / (1024 * 1024);
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(0)} MB`;
}

export function EnvironmentsSection(props: {
  environments: IEnvironmentVersion[];
}): JSX.Element {
  const { environments } = props;
  return (
    <Section title="Environments" count={environments.length} testId="mlws-environments">
      <ul className="jp-mlws-plain">
        {environments.map(env => (
          <li key={env.ref} title={env.error ?? env.spec.requirements.join('\n')}>
            <b>{env.name}</b> <span className="jp-mlws-dim">v{env.version}</span>{' '}
            <span className="jp-mlws-badge" data-state={env.state}>
              {env.state}
            </span>
            {env.spec.python && <span className="jp-mlws-dim"> · python {env.spec.python}</span>}
            {env.size_bytes !== null && (
              <span className="jp-mlws-dim"> · {size(env.size_bytes)}</span>
            )}
            {env.error && <div className="jp-mlws-dim">{env.error}</div>}
          </li>
        ))}
        {!environments.length && <li className="jp-mlws-empty">no environments</li>}
      </ul>
    </Section>
  );
}
