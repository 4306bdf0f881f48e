// End-to-end checks of the themes and keyboard use: the page follows the system's light/dark
// preference (emulateMedia colorScheme), hosted and as the single file; Tab walks the controls in
// document order (no positive tabindex) from the top bar's file input to the conversation tabs and
// the conversation table, every stop shows a visible focus ring, arrow keys select conversation
// rows (their packets are listed), and Enter on the Follow button opens Follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, pageSuite, foreignRequests, captureLocator, waitIndexed, writeSyntheticPcap } from './helpers.mjs';

let pcap;
const suite = pageSuite({
  tmp: 'keys',
  setup: ({ tmp }) => {
    pcap = path.join(tmp, 'keys.pcap');
    writeSyntheticPcap(pcap, { tcpFlows: 5, udpFlows: 2 });
  },
});

/** Background colours of the page under light and dark system preference. */
async function backgrounds(page) {
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await bg();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await bg();
  await page.emulateMedia({ colorScheme: 'light' });
  return { light, dark };
}

/** Perceived lightness 0..255 of an "rgb(r, g, b)" colour. */
function lightness(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

test('light and dark themes follow the system, hosted and in the single file', async () => {
  const urls = [`${suite.server.origin}/index.html`];
  const single = path.join(REPO_ROOT, 'dist', 'tracematch.html');
  assert.ok(fs.existsSync(single), 'dist/tracematch.html is missing: run bash scripts/build.sh first');
  urls.push(pathToFileURL(single).href);
  for (const url of urls) {
    const page = await suite.browser.context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    const { light, dark } = await backgrounds(page);
    assert.ok(lightness(light) > 200, `${url}: light background (${light})`);
    assert.ok(lightness(dark) < 60, `${url}: dark background (${dark})`);
    await page.emulateMedia({ colorScheme: 'dark' });
    const text = await page.evaluate(() => getComputedStyle(document.body).color);
    assert.ok(lightness(text) > 180, `${url}: light text on the dark theme (${text})`);
    await page.close();
  }
});

/** A short description of the focused element, and whether a focus ring is visible on it. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    // The theme's own ring: a solid outline in the accent colour (not just the browser default).
    const probe = document.createElement('span');
    probe.style.color = 'var(--accent)';
    document.body.append(probe);
    const accent = getComputedStyle(probe).color;
    probe.remove();
    const ring = (e) => {
      const s = getComputedStyle(e);
      return s.outlineStyle === 'solid' && parseFloat(s.outlineWidth) >= 2 && s.outlineColor === accent;
    };
    const conv = el.closest('[data-testid="conv-table"]');
    return {
      testid: el.dataset.testid || null,
      id: el.id || null,
      kind: el.dataset.kind || (conv ? conv.dataset.kind : null),
      inConvTable: Boolean(conv) && el.classList.contains('vt-viewport'),
      tag: el.tagName.toLowerCase(),
      text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 30),
      // The file input is invisible inside its label button, which carries the ring (:focus-within).
      visible: ring(el) || (el.type === 'file' && ring(el.closest('.file-button'))),
    };
  });
}

test('Tab reaches the file input, the conversation tabs and rows in order, with a visible focus ring', async () => {
  const page = await suite.browser.context.newPage();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${suite.server.origin}/index.html`, { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', [pcap]);
  const capture = captureLocator(page, 'keys.pcap');
  await waitIndexed(capture);
  await capture.locator('[data-testid="conv-table"][data-kind="tcp"]').waitFor();
  await capture.locator('[data-testid="io-graph"]').waitFor({ timeout: 30000 });

  assert.equal(await page.locator('[tabindex]:not([tabindex="0"]):not([tabindex="-1"])').count(), 0,
    'no positive tabindex: focus order is document order');

  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const stops = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (!f) continue;
    stops.push(f);
    if (f.inConvTable) break;
  }
  const at = (pred) => stops.findIndex(pred);
  const fileInput = at((f) => f.testid === 'file-input');
  const tab = at((f) => f.testid === 'conv-tab' && f.kind === 'tcp');
  const udpTab = at((f) => f.testid === 'conv-tab' && f.kind === 'udp');
  const table = at((f) => f.inConvTable);
  assert.ok(fileInput >= 0, 'Tab reaches the file input');
  assert.ok(tab > fileInput, 'then the TCP conversation tab');
  assert.ok(udpTab > tab, 'then the UDP tab');
  assert.ok(table > udpTab, 'then the conversation table');
  assert.ok(at((f) => f.id === 'share-button') < fileInput && at((f) => f.id === 'match-button') < fileInput, 'top bar first');
  const invisible = stops.filter((f) => !f.visible);
  assert.deepEqual(invisible, [], 'every focus stop shows a focus ring');

  // Arrow keys choose a row: its packets are listed; Enter on Follow opens it.
  await page.keyboard.press('ArrowDown');
  await capture.locator('[data-testid="conv-row"][aria-selected="true"][data-stream="0"]').waitFor();
  await capture.locator('[data-testid="packet-list"]').waitFor();
  await page.keyboard.press('ArrowDown');
  await capture.locator('[data-testid="conv-row"][aria-selected="true"][data-stream="1"]').waitFor();
  await capture.locator('[data-testid="follow-button"]').focus();
  await page.keyboard.press('Enter');
  await capture.locator('[data-testid="follow"][data-stream="1"]').waitFor({ state: 'attached' });

  // Switching tabs from the keyboard.
  await capture.locator('[data-testid="conv-tab"][data-kind="udp"]').focus();
  await page.keyboard.press('Enter');
  await capture.locator('[data-testid="conv-table"][data-kind="udp"]').waitFor();
  await page.close();
});

test('no request left the page\'s origin, and no page error or CSP violation happened', () => {
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin).filter((u) => !u.startsWith('file:')), []);
  assert.deepEqual(suite.browser.problems, []);
});
