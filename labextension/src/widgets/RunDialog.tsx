import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { MlwsClient } from '../api/client';
import { IRunDetails, INotebookParameter } from '../api/types';
import { RunDialogBody } from '../components/RunDialogBody';
import { defaultExperiment, IRunForm, submission } from '../models/submission';

class FormBody extends ReactWidget implements Dialog.IBodyWidget<IRunForm> {
  constructor(private readonly renderBody: () => JSX.Element, private readonly form: IRunForm) {
    super();
    this.addClass('jp-mlws-run-dialog-widget');
  }

  getValue(): IRunForm {
    return this.form;
  }

  render(): JSX.Element {
    return this.renderBody();
  }
}

/** Asks for experiment, compute and parameters, submits, and returns the new run. */
export async function runAsExperiment(
  client: MlwsClient,
  path: string
): Promise<IRunDetails | null> {
  const [experiments, targets, parameters] = await Promise.all([
    client.experiments(),
    client.computeTargets(),
    client.notebookParameters(path).then(
      p => ({ list: p, error: null as string | null }),
      (e: Error) => ({ list: [] as INotebookParameter[], error: e.message })
    )
  ]);
  const form: IRunForm = {
    experiment: defaultExperiment(path),
    compute: targets[0]?.name ?? 'local',
    displayName: '',
    values: Object.fromEntries(parameters.list.map(p => [p.name, p.default ?? '']))
  };
  const body = new FormBody(
    () => (
      <RunDialogBody
        path={path}
        form={form}
        experiments={experiments}
        targets={targets}
        parameters={parameters.list}
        parametersError={parameters.error}
      />
    ),
    form
  );
  const result = await showDialog({
    title: 'Run as experiment',
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Submit' })]
  });
  if (!result.button.accept || result.value === null) {
    return null;
  }
  return client.submit(submission(path, result.value, parameters.list));
}
