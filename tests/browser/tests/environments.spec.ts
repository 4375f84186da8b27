/**
 * Environments in the sidebar (versions and build state) and, in a run's panel, the
 * environment the run used. Seeded by jupyter_server_test_config.py.
 */
import { expect, test } from '@jupyterlab/galata';

test.use({ autoGoto: true });

test('Environments: versions with build state; a run panel names its environment', async ({
  page
}) => {
  await page.click('.jp-SideBar [data-id="jp-mlws-sidebar"]');
  const section = page.locator('[data-testid="mlws-environments"]');
  await expect(section).toBeVisible();
  const items = section.locator('li');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toContainText('v1');
  await expect(items.nth(0).locator('.jp-mlws-badge')).toHaveText('Ready');
  await expect(items.nth(1).locator('.jp-mlws-badge')).toHaveText('Failed');
  await expect(items.nth(1)).toContainText('No solution found');

  const envs = page.locator('.jp-mlws-experiment[data-experiment="envs"]');
  await envs.locator('.jp-mlws-experiment-name').click();
  await envs.locator('.jp-mlws-run-row .jp-mlws-run-name').first().click();
  const panel = page.locator('.jp-mlws-run-panel');
  await expect(panel.locator('.jp-mlws-kv').filter({ hasText: 'sk:1 (lock abababababab)' }).first()).toBeVisible();
});
