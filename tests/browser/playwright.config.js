/**
 * Galata on Debian Chromium (see ../../../shared/reference/jupyter-scheduler-and-labext.md
 * §2.4): the browser is the system one (CHROMIUM_PATH), video is off (it needs
 * Playwright's ffmpeg), and the server may run as root.
 */
const base = require('@jupyterlab/galata/lib/playwright-config');

const exe = process.env.CHROMIUM_PATH;
const port = process.env.MLWS_BROWSER_PORT || '8988';

module.exports = {
  ...base,
  timeout: 240000,
  outputDir: process.env.MLWS_BROWSER_OUTPUT || 'test-results',
  use: {
    ...base.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    trace: 'off',
    ...(exe ? { launchOptions: { executablePath: exe, args: ['--no-sandbox'] } } : {})
  },
  webServer: {
    command: `jlpm start --allow-root --ServerApp.port=${port}`,
    url: `http://localhost:${port}/lab`,
    timeout: 120000,
    reuseExistingServer: !process.env.CI
  }
};
