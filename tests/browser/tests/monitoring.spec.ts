/**
 * Endpoints and schedules in the sidebar: a deployed endpoint's telemetry charted
 * (requests/s, latency, errors by status), and a schedule row that can be disabled and
 * enabled again. Seeded by jupyter_server_test_config.py (a real deploy, six requests).
 */
import { expect, test } from '@jupyterlab/galata';

test.use({ autoGoto: true });

test('Endpoints: a selected endpoint charts its telemetry', async ({ page }) => {
  await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]');
  const section = page.locator('[data-testid="mlws-endpoints"]');
  const row = section.locator('.jp-mlws-endpoint[data-endpoint="doubler"]');
  await expect(row).toBeVisible();
  await expect(row.locator('.jp-mlws-badge')).toHaveText('Stopped');
  await expect(row).toContainText('doubler:1');
  await row.locator('.jp-mlws-endpoint-name').click();
  const telemetry = row.locator('.jp-mlws-endpoint-telemetry');
  await expect(telemetry).toContainText('6 requests · 1 error');
  for (const title of ['requests/s', 'latency (ms)', 'errors by status']) {
    const chart = telemetry.locator(`.jp-mlws-chart[data-metric="${title}"]`);
    await expect(chart.locator('.main-svg').first()).toBeVisible();
    await expect(chart.locator('.scatterlayer .trace').first()).toBeAttached();
  }
  await expect(
    telemetry.locator('.jp-mlws-chart[data-metric="latency (ms)"] .legendtext')
  ).toHaveText(['p50', 'p95', 'p99']);
});

test('Schedules: a schedule row, disabled and enabled again', async ({ page }) => {
  await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]');
  const row = page.locator('[data-testid="mlws-schedules"] .jp-mlws-schedule[data-schedule="nightly"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText('pipeline nightly-train');
  await expect(row.locator('.jp-mlws-schedule-trigger')).toHaveText('cron 0 3 * * * (UTC)');
  await expect(row.locator('.jp-mlws-schedule-next')).toContainText('next ');
  await expect(row.locator('.jp-mlws-schedule-last')).toHaveText('never fired');
  await row.locator('button', { hasText: 'disable' }).click();
  await expect(row).toHaveAttribute('data-enabled', 'false');
  await expect(row.locator('.jp-mlws-badge')).toHaveText('Disabled');
  await expect(row.locator('.jp-mlws-schedule-next')).toHaveText('disabled');
  await row.locator('button', { hasText: 'enable' }).click();
  await expect(row).toHaveAttribute('data-enabled', 'true');
  await expect(row.locator('.jp-mlws-badge')).toHaveText('Active');
});
