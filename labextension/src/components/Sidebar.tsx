import * as React from 'react';

import { IComputeTarget, IRun } from '../api/types';
import { SidebarModel } from '../models/sidebar';
import { ErrorNote, Section } from './common';
import { EndpointsSection } from './EndpointsSection';
import { EnvironmentsSection } from './EnvironmentsSection';
import { ActivitySection } from './ActivitySection';
import { RunList } from './RunList';
import { SchedulesSection } from './SchedulesSection';

export interface ISidebarActions {
  openRun: (run: IRun) => void;
  compare: (runs: IRun[]) => void;
  computeAction: (target: IComputeTarget, action: 'start' | 'stop') => void;
  refresh: () => void;
}

export function Sidebar(props: {
  model: SidebarModel;
  preferredMetric: string;
  actions: ISidebarActions;
}): JSX.Element {
  const { model, actions } = props;
  const selected = [...model.selected.values()];
  return (
    <div className="jp-mlws-sidebar" data-loaded={model.loaded ? 'true' : 'false'}>
      <div className="jp-mlws-sidebar-header">
        <input
          className="jp-mlws-search"
          type="search"
          placeholder="Search runs and experiments"
          value={model.search}
          onChange={e => model.setSearch(e.target.value)}
        />
        <button className="jp-mlws-link" title="Refresh" onClick={actions.refresh}>
          ⟳
        </button>
      </div>
      {selected.length > 0 && (
        <div className="jp-mlws-compare-bar">
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={selected.length < 2}
            onClick={() => actions.compare(selected)}
          >
            Compare {selected.length} runs
          </button>
          <button className="jp-mlws-link" onClick={() => model.clearSelection()}>
            clear
          </button>
        </div>
      )}
      <ErrorNote message={model.error} />
      <Section title="Experiments" count={model.experiments.length} testId="mlws-experiments">
        <ul className="jp-mlws-experiments">
          {model.visibleExperiments.map(exp => {
            const list = model.runLists.get(exp.id);
            return (
              <li key={exp.id} className="jp-mlws-experiment" data-experiment={exp.name}>
                <button
                  className="jp-mlws-link jp-mlws-experiment-name"
                  onClick={() => void model.toggleExperiment(exp.id)}
                >
                  <span className="jp-mlws-caret">{list ? '▾' : '▸'}</span>
                  {exp.name}
                  <span className="jp-mlws-count">{exp.run_count}</span>
                </button>
                {list && (
                  <RunList
                    list={list}
                    search={model.search}
                    preferredMetric={props.preferredMetric}
                    selected={model.selected}
                    onOpen={actions.openRun}
                    onToggle={run => model.toggleSelected(run)}
                  />
                )}
              </li>
            );
          })}
          {model.loaded && !model.experiments.length && (
            <li className="jp-mlws-empty">no experiments yet</li>
          )}
        </ul>
      </Section>
      <Section title="Compute" count={model.targets.length} testId="mlws-compute">
        <ul className="jp-mlws-plain">
          {model.targets.map(target => (
            <li key={target.name} className="jp-mlws-target">
              <b>{target.name}</b>{' '}
              {target.type !== target.name && (
                <span className="jp-mlws-dim">{target.type} </span>
              )}
              <span className="jp-mlws-badge">{target.status}</span>
              {typeof target.workers === 'number' && (
                <span className="jp-mlws-dim"> · {target.workers} workers</span>
              )}
              <span className="jp-mlws-dim"> · {target.active_runs} active</span>
              {target.type !== 'local' && (
                <span className="jp-mlws-actions">
                  <button onClick={() => actions.computeAction(target, 'start')}>start</button>
                  <button onClick={() => actions.computeAction(target, 'stop')}>stop</button>
                </span>
              )}
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Models" count={model.models.length} testId="mlws-models">
        <ul className="jp-mlws-plain">
          {model.models.map(m => (
            <li key={m.ref}>
              <b>{m.name}</b> <span className="jp-mlws-dim">v{m.version}</span>
              {m.aliases.map(alias => (
                <span key={alias} className="jp-mlws-badge">
                  @{alias}
                </span>
              ))}
            </li>
          ))}
          {!model.models.length && <li className="jp-mlws-empty">no models</li>}
        </ul>
      </Section>
      <EndpointsSection client={model.client} endpoints={model.endpoints} />
      <SchedulesSection client={model.client} />
      <EnvironmentsSection environments={model.environments} />
      <ActivitySection client={model.client} />
    </div>
  );
}
