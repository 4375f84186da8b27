/**
 * Galata on Debian Chromium (see ../../../shared/reference/jupyter-scheduler-and-labext.md
 * §2.4): the browser is the system one (CHROMIUM_PATH), video is off (it needs
 * Playwright's ffmpeg), and the server may run as root.
 */
const base = require('@jupyterlab/galata/lib/playwright-config');

const exe = process.env.CHROMIUM_PATH;
const port = process.env.MLWS_BROWSER_PORT || '8988';
// An installed wheel under test (.ci/wheel-check --galata): JupyterLab from that PATH,
// which has no Node.js, serving the extension the wheel installed.
const serverPath = process.env.MLWS_BROWSER_SERVER_PATH;
const lab = serverPath
  ? `env PATH="${serverPath}" MLWS_BROWSER_INSTALLED=1 jupyter lab --config jupyter_server_test_config.py`
  : 'jlpm start';

module.exports = {
  ...base,
  timeout: 240000,
  // States are waited for, not times: on a busy 2-core machine the lab may take longer
  // than Playwright's 5 s default to show what a test waits for.
  expect: { ...base.expect, timeout: 30000 },
  outputDir: process.env.MLWS_BROWSER_OUTPUT || 'test-results',
  use: {
    ...base.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    ...(exe ? { launchOptions: { executablePath: exe, args: ['--no-sandbox'] } } : {})
  },
  webServer: {
    command: `${lab} --allow-root --ServerApp.port=${port}`,
    url: `http://localhost:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: !process.env.CI
  }
};
