/**
 * The run panel of a sweep (trial table sorted by metric, best-so-far chart) and of a
 * pipeline run (the DAG with its reused badge and reasons; a click opens a step's run),
 * on the sweep and pipelines the server config seeds.
 */
import { expect, test } from '@jupyterlab/galata';

test.use({ autoGoto: true });

async function openFirstRun(page: any, experiment: string): Promise<void> {
  const group = page.locator(`.jp-mlws-experiment[data-experiment="${experiment}"]`);
  if (!(await group.isVisible())) {
    await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]'); // a click toggles the sidebar
  }
  await expect(group).toBeVisible();
  await group.locator('.jp-mlws-experiment-name').click();
  await group.locator('.jp-mlws-run-row').first().locator('.jp-mlws-run-name').click();
}

test('a sweep run shows its trials and a pipeline run its DAG', async ({ page }, testInfo) => {
  page.on('pageerror', error => console.log(`browser error: ${error.message}`));
  await openFirstRun(page, 'sweeps');
  const sweep = page.locator('.jp-mlws-run-panel:visible .jp-mlws-sweep');
  await expect(sweep).toBeVisible();
  const rows = sweep.locator('table.jp-mlws-trials tbody tr');
  await expect(rows).toHaveCount(2);
  await sweep.locator('button[data-sort="metric"]').click(); // best first
  await expect(rows.first()).toHaveClass(/jp-mlws-best/);
  await expect(rows.first().locator('.jp-mlws-metric')).toHaveText('0.8000');
  await expect(sweep.locator('.jp-mlws-chart .main-svg').first()).toBeVisible({
    timeout: 30000
  });
  await page.screenshot({ path: testInfo.outputPath('sweep-panel.png') });

  await openFirstRun(page, 'pipes'); // the newest: its first step was reused
  const dag = page.locator('.jp-mlws-run-panel:visible .jp-mlws-pipeline');
  await expect(dag).toBeVisible();
  const prepare = dag.locator('.jp-mlws-dag-node[data-step="prepare"]');
  await expect(prepare).toHaveAttribute('data-reused', 'true');
  await expect(prepare.locator('.jp-mlws-reused-badge')).toHaveCount(1);
  await expect(prepare.locator('title')).toContainText('reused (from run');
  const train = dag.locator('.jp-mlws-dag-node[data-step="train"]');
  await expect(train).toHaveAttribute('data-status', 'Completed');
  await expect(train.locator('title')).toContainText('parameter lr 0.1 → 0.05');
  await page.screenshot({ path: testInfo.outputPath('pipeline-panel.png') });
  await train.locator('circle').click();
  await expect(
    page.locator('.jp-mlws-run-panel:visible[data-status="Completed"] .jp-mlws-run-header', {
      hasText: 'train'
    })
  ).toBeVisible();
});
