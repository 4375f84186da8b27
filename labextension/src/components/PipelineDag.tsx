import * as React from 'react';

import { IPipelineRunView } from '../api/kindTypes';
import { dagLayout, statusColor, stepHover } from '../models/kindViews';

const RADIUS = 13;

/** A pipeline run's steps as a DAG: nodes in status colours, reused steps badged, why a
 * step ran or was reused on hover; clicking a step opens its run (a reused step: the
 * earlier run whose outputs it took). */
export function PipelineDag(props: {
  pipeline: IPipelineRunView;
  openRun: (run: { id: string }) => void;
}): JSX.Element {
  const { pipeline, openRun } = props;
  const layout = dagLayout(pipeline.steps);
  return (
    <section className="jp-mlws-pipeline" data-testid="mlws-pipeline">
      <h3>Steps</h3>
      <svg
        className="jp-mlws-dag"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
      >
        {layout.edges.map(({ from, to }) => (
          <line
            key={`${from.step.name}->${to.step.name}`}
            x1={from.x + RADIUS}
            y1={from.y}
            x2={to.x - RADIUS}
            y2={to.y}
            stroke="var(--jp-border-color1, #9ca3af)"
          />
        ))}
        {layout.nodes.map(({ step, x, y }) => {
          const target = step.run_id ?? step.reused_from;
          return (
            <g
              key={step.name}
              className="jp-mlws-dag-node"
              data-step={step.name}
              data-status={step.status}
              data-reused={step.reused ? 'true' : 'false'}
              style={{ cursor: target ? 'pointer' : 'default' }}
              onClick={() => target && openRun({ id: target })}
            >
              <title>{stepHover(step)}</title>
              <circle cx={x} cy={y} r={RADIUS} fill={statusColor(step.status)} />
              {step.reused && (
                <text className="jp-mlws-reused-badge" x={x + RADIUS} y={y - RADIUS} fontSize={12}>
                  ♻
                </text>
              )}
              <text x={x} y={y + RADIUS + 14} fontSize={11} textAnchor="middle" fill="currentColor">
                {step.name}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="jp-mlws-steps">
        <thead>
          <tr>
            <th>step</th>
            <th>status</th>
            <th>reused</th>
            <th>why</th>
          </tr>
        </thead>
        <tbody>
          {pipeline.steps.map(step => (
            <tr key={step.name} data-step={step.name}>
              <td>{step.name}</td>
              <td>{step.status}</td>
              <td>{step.reused ? '♻ reused' : ''}</td>
              <td>{step.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
