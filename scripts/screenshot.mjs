// Screenshot of the real page with captures loaded (for the README and reviews):
//   node scripts/screenshot.mjs OUT.png [--dark] [--select N] FILE...
// Serves the repository root (build first: bash scripts/build.sh), opens FILE(s) in headless
// Chromium, shows the TCP table, selects its first conversation (or row N) and saves a full-page PNG.
import path from 'node:path';
import { startServer, launchBrowser, captureLocator, waitIndexed } from '../tests/e2e/helpers.mjs';

const args = process.argv.slice(2);
const out = args.shift();
const dark = args.includes('--dark');
const selectAt = args.indexOf('--select');
const row = selectAt >= 0 ? Number(args[selectAt + 1]) : 0;
const files = args.filter((a, i) => !a.startsWith('--') && !(selectAt >= 0 && i === selectAt + 1));
if (!out || files.length === 0) {
  console.error('usage: node scripts/screenshot.mjs OUT.png [--dark] [--select N] FILE...');
  process.exit(1);
}
const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  await page.goto(`${server.origin}/index.html`);
  await page.setInputFiles('[data-testid="file-input"]', files);
  for (const f of files) await waitIndexed(captureLocator(page, path.basename(f)));
  const capture = captureLocator(page, path.basename(files[0]));
  const tcpRows = Number(await capture.locator('[data-testid="conv-table"]').getAttribute('data-rows'));
  if (tcpRows > 0) {
    await capture.locator('[data-testid="conv-row"]').nth(row).click();
    await capture.locator('[data-testid="packet-row"]').first().waitFor();
    await page.waitForTimeout(300);
  }
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}; problems: ${JSON.stringify(browser.problems)}`);
} finally {
  await browser.close();
  await server.close();
}
