import * as React from 'react';

import { IComputeTarget, IExperiment, INotebookParameter } from '../api/types';
import { IRunForm } from '../models/submission';



export function RunDialogBody(props: {
  path: string;
  form: IRunForm;
  experiments: IExperiment[];
  targets: IComputeTarget[];
  parameters: INotebookParameter[];
  parametersError: string | null;
}): JSX.Element {
  const [form, setForm] = React.useState(props.form);
  const update = (patch: Partial<IRunForm>) => {
    const next = { ...form, ...patch };
    Object.assign(props.form, next); // the dialog reads the shared object
    setForm(next);
  };
  return (
    <div className="jp-mlws-run-dialog">
      <p className="jp-mlws-dim">{props.path}</p>
      <label>
        Experiment
        <input
          name="experiment"
          list="jp-mlws-experiment-names"
          value={form.experiment}
          onChange={e => update({ experiment: e.target.value })}
        />
        <datalist id="jp-mlws-experiment-names">
          {props.experiments.map(exp => (
            <option key={exp.id} value={exp.name} />
          ))}
        </datalist>
      </label>
      <label>
        Compute
        <select
          name="compute"
          value={form.compute}
          onChange={e => update({ compute: e.target.value })}
        >
          {props.targets.map(t => (
            <option key={t.name} value={t.name}>
              {t.name} ({t.type}, {t.status})
            </option>
          ))}
        </select>
      </label>
      <label>
        Run name (optional)
        <input
          name="display_name"
          value={form.displayName}
          onChange={e => update({ displayName: e.target.value })}
        />
      </label>
      <fieldset>
        <legend>Parameters</legend>
        {props.parametersError && <p className="jp-mlws-error">{props.parametersError}</p>}
        {!props.parameters.length && !props.parametersError && (
          <p className="jp-mlws-dim">
            No cell tagged <code>parameters</code>: the notebook runs as it is.
          </p>
        )}
        {props.parameters.map(p => (
          <label key={p.name} title={p.help}>
            {p.name} <span className="jp-mlws-dim">{p.type !== 'None' ? p.type : ''}</span>
            <input
              name={`param-${p.name}`}
              value={form.values[p.name] ?? ''}
              onChange={e => update({ values: { ...form.values, [p.name]: e.target.value } })}
            />
          </label>
        ))}
      </fieldset>
    </div>
  );
}
