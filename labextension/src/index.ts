import { corePlugin } from './plugins/core';
import { outputsPlugin } from './plugins/outputs';
import { runAsExperimentPlugin } from './plugins/runAsExperiment';
import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';

export default [corePlugin, sidebarPlugin, runAsExperimentPlugin, outputsPlugin];
