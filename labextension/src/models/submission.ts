/**
 * The "Run as experiment…" form turned into a submit request.
 */
import { INotebookParameter, ISubmitRequest } from '../api/types';
import { parseParameterText } from './format';

export interface IRunForm {
  experiment: string;
  compute: string;
  displayName: string;
  values: Record<string, string>; // parameter → text typed (a Python literal)
}

/** Only parameters whose text differs from the notebook's default are sent. */
export function submission(
  path: string,
  form: IRunForm,
  parameters: INotebookParameter[]
): ISubmitRequest {
  const changed: Record<string, unknown> = {};
  for (const p of parameters) {
    const text = form.values[p.name];
    if (text !== undefined && text.trim() !== (p.default ?? '').trim()) {
      changed[p.name] = parseParameterText(text);
    }
  }
  return {
    path,
    experiment: form.experiment.trim() || 'Default',
    compute: form.compute || 'local',
    parameters: changed,
    ...(form.displayName.trim() ? { display_name: form.displayName.trim() } : {})
  };
}

/** The experiment a notebook's runs go to by default: its file name, made valid. */
export function defaultExperiment(path: string): string {
  const stem = (path.split('/').pop() ?? '').replace(/\.ipynb$/, '');
  const clean = stem.replace(/[^A-Za-z0-9_\-. ]/g, '_').replace(/^[^A-Za-z0-9_]+/, '');
  return clean || 'Default';
}
