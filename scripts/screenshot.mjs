// Screenshot of the real page with captures loaded (for the README and reviews):
//   node scripts/screenshot.mjs OUT.png [--dark] [--select N] [--follow] [--http] FILE...
// Serves the repository root (build first: bash scripts/build.sh), opens FILE(s) in headless
// Chromium, shows the TCP table, selects its first conversation (or row N) and saves a full-page PNG.
// --follow opens Follow on that conversation (the shot is of the Follow pane); --http also switches
// to its "Follow HTTP" tab.
import path from 'node:path';
import { startServer, launchBrowser, captureLocator, waitIndexed } from '../tests/e2e/helpers.mjs';

const args = process.argv.slice(2);
const out = args.shift();
const dark = args.includes('--dark');
const selectAt = args.indexOf('--select');
const follow = args.includes('--follow') || args.includes('--http');
const httpTab = args.includes('--http');
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
  if (follow && tcpRows > 0) {
    await capture.locator('[data-testid="follow-button"]').click();
    await capture.locator('[data-testid="follow-chunk"]').first().waitFor();
    if (httpTab) {
      await capture.locator('[data-testid="follow-tab"][data-tab="http"]').click();
      await capture.locator('[data-testid="follow-http"][data-state="done"]').waitFor();
    }
    await page.waitForTimeout(300);
    await capture.locator('[data-testid="follow-pane"]').screenshot({ path: out });
    console.log(`wrote ${out}; problems: ${JSON.stringify(browser.problems)}`);
  } else {
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}; problems: ${JSON.stringify(browser.problems)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
