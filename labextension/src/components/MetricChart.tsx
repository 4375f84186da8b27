import * as React from 'react';

import { IMetricSeries } from '../api/types';
import { toNumber } from '../models/format';

export interface ICurve {
  name: string;
  series: IMetricSeries;
}

type PlotlyModule = typeof import('plotly.js-basic-dist-min');
let plotly: Promise<PlotlyModule> | null = null;

/** plotly.js is big: load it when the first chart is drawn, not with the sidebar. */
function loadPlotly(): Promise<PlotlyModule> {
  if (plotly === null) {
    plotly = import('plotly.js-basic-dist-min').then(
      mod => ((mod as unknown as { default?: PlotlyModule }).default ?? mod) as PlotlyModule
    );
  }
  return plotly;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** Line chart of one or more curves (steps on x), in JupyterLab's theme colours. */
export function MetricChart(props: {
  title: string;
  curves: ICurve[];
  /** The x axis' title: "step" unless said otherwise (a sweep's best-so-far: "trial"). */
  xTitle?: string;
  /** Draw each point too (for sparse series, where a lone point has no line). */
  markers?: boolean;
}): JSX.Element {
  const node = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    let live = true;
    void loadPlotly().then(Plotly => {
      if (!live || !node.current) {
        return;
      }
      const font = cssVar('--jp-ui-font-color1', '#333');
      const grid = cssVar('--jp-border-color2', '#ddd');
      const traces = props.curves.map(curve => ({
        type: 'scatter' as const,
        mode:
          props.markers || curve.series.steps.length < 3
            ? ('lines+markers' as const)
            : ('lines' as const),
        name: curve.name,
        x: curve.series.steps,
        y: curve.series.values.map(toNumber)
      }));
      const layout = {
        title: { text: props.title, font: { size: 12, color: font } },
        margin: { l: 48, r: 12, t: 28, b: 32 },
        height: 220,
        paper_bgcolor: 'rgba(0,0,0,0)',
        plot_bgcolor: 'rgba(0,0,0,0)',
        font: { color: font, size: 10 },
        xaxis: { title: { text: props.xTitle ?? 'step' }, gridcolor: grid, zeroline: false },
        yaxis: { gridcolor: grid, zeroline: false },
        showlegend: props.curves.length > 1,
        legend: { orientation: 'h' as const }
      };
      void Plotly.react(node.current, traces as Plotly.Data[], layout, {
        displaylogo: false,
        responsive: true
      });
    });
    return () => {
      live = false;
    };
  }, [props.curves, props.title, props.xTitle, props.markers]);
  React.useEffect(
    () => () => {
      if (node.current) {
        void loadPlotly().then(Plotly => node.current && Plotly.purge(node.current));
      }
    },
    []
  );
  return <div className="jp-mlws-chart" data-metric={props.title} ref={node} />;
}
