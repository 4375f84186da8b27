/**
 * The ML Workspace in a real JupyterLab on Debian Chromium: the sidebar lists seeded
 * runs, a run panel draws its chart, and a notebook submitted with "Run as
 * experiment…" reaches Completed in the sidebar without anyone clicking refresh; after
 * a page reload the run and compare panels are back.
 */
import { expect, galata, test } from '@jupyterlab/galata';

const NOTEBOOK = {
  cells: [
    {
      id: 'parameters',
      cell_type: 'code',
      metadata: { tags: ['parameters'] },
      source: 'epochs = 5\nrate: float = 0.5\n',
      outputs: [],
      execution_count: null
    },
    {
      id: 'train',
      cell_type: 'code',
      metadata: {},
      source:
        'from jupyter_mlws import Run\n' +
        'run = Run.get_context()\n' +
        'for step in range(epochs):\n' +
        "    run.log('loss', rate / (step + 1), step=step)\n" +
        "print('trained', epochs, rate)\n",
      outputs: [],
      execution_count: null
    }
  ],
  metadata: {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }
  },
  nbformat: 4,
  nbformat_minor: 5
};

test.use({ autoGoto: true });

test('ML Workspace: seeded runs, run chart, notebook run to Completed', async ({
  page,
  tmpPath
}, testInfo) => {
  page.on('pageerror', error => console.log(`browser error: ${error.message}`));
  // 1. open the sidebar: it lists the seeded experiment and its runs
  const clicked = Date.now();
  await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]');
  const seeded = page.locator('.jp-mlws-experiment[data-experiment="seeded"]');
  await expect(seeded).toBeVisible();
  // Printed, not asserted (issue 5): JupyterLab has started when autoGoto returns, and
  // the sidebar is opened at once, so this is start → experiments listed.
  console.log(`mlws sidebar first paint: ${Date.now() - clicked} ms (opened → listed)`);
  await seeded.locator('.jp-mlws-experiment-name').click();
  const rows = seeded.locator('.jp-mlws-run-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toHaveAttribute('data-status', 'Completed');
  await page.screenshot({ path: testInfo.outputPath('sidebar.png') });

  // 2. open a run: the panel shows params and draws the loss chart
  await rows.first().locator('.jp-mlws-run-name').click();
  const panel = page.locator('.jp-mlws-run-panel[data-status="Completed"]');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-mlws-kv').filter({ hasText: 'lr' }).first()).toBeVisible();
  const chart = panel.locator('.jp-mlws-chart[data-metric="loss"]');
  await expect(chart.locator('.main-svg').first()).toBeVisible({ timeout: 30000 });
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('run-panel.png') });

  // 3. compare two runs: overlaid curves and the param that differs
  await rows.nth(0).locator('input[type="checkbox"]').check();
  await rows.nth(1).locator('input[type="checkbox"]').check();
  await page.click('.jp-mlws-compare-bar button.jp-mod-accept');
  const compare = page.locator('.jp-mlws-compare');
  await expect(compare.locator('.jp-mlws-differs th', { hasText: 'lr' })).toBeVisible();
  await expect(compare.locator('.jp-mlws-chart .scatterlayer .trace')).toHaveCount(2, {
    timeout: 30000
  });
  await page.screenshot({ path: testInfo.outputPath('compare.png') });

  // 4. "Run as experiment…" is on notebooks in the file browser's context menu...
  await page.contents.uploadContent(JSON.stringify(NOTEBOOK), 'text', `${tmpPath}/train.ipynb`);
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.refresh();
  await page.click('.jp-DirListing-item[title*="train.ipynb"]', { button: 'right' });
  await expect(
    page.locator('.lm-Menu-item[data-command="mlws:run-as-experiment"]')
  ).toBeVisible();
  await page.keyboard.press('Escape');

  // ... and on the notebook toolbar: submit from there
  await page.notebook.openByPath(`${tmpPath}/train.ipynb`);
  await page.click('.jp-NotebookPanel-toolbar [data-command="mlws:run-as-experiment"]');
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('input[name="param-epochs"]')).toHaveValue('5');
  await dialog.locator('input[name="experiment"]').fill('browser-test');
  await dialog.locator('input[name="param-epochs"]').fill('3');
  await page.screenshot({ path: testInfo.outputPath('run-dialog.png') });
  await dialog.locator('button.jp-mod-accept').click();
  await expect(page.locator('.jp-mlws-run-header', { hasText: 'browser-test' })).toBeVisible();

  // 5. the sidebar shows it reaching Completed on its own (live updates, no clicks)
  await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]');
  const experiment = page.locator('.jp-mlws-experiment[data-experiment="browser-test"]');
  await expect(experiment).toBeVisible({ timeout: 30000 });
  await experiment.locator('.jp-mlws-experiment-name').click();
  const submitted = experiment.locator('.jp-mlws-run-row').first();
  await expect(submitted).toBeVisible();
  await expect(submitted).toHaveAttribute('data-status', 'Completed', { timeout: 180000 });
  await page.screenshot({ path: testInfo.outputPath('sidebar-completed.png') });

  // 6. after a page reload the run and compare panels come back (layout restorer)
  await page.reload({ waitForIsReady: false }); // the launcher is not the active tab now
  const tabs = page.locator('#jp-main-dock-panel .lm-TabBar-tab');
  await expect(tabs.filter({ hasText: 'Compare 2 runs' })).toHaveCount(1, { timeout: 60000 });
  await expect(tabs.filter({ hasText: 'seeded #' })).toHaveCount(1, { timeout: 60000 });
  await expect(tabs.filter({ hasText: 'browser-test #1' })).toHaveCount(1, { timeout: 60000 });
  await page.screenshot({ path: testInfo.outputPath('restored.png') });
  expect(galata).toBeDefined();
});
