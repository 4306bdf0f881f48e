// End-to-end test of where-in-the-world: the endpoints table of a real capture shows each address's
// country from the site's bundled open GeoIP database (www/geo/, copied by scripts/build.sh), equal
// to `tracematch endpoints --geoip` with the same database; bytes per country are charted; the
// country filter keeps only that country's rows; no request leaves the page's origin.
// Skips when the corpus or the bundled database is absent. Needs scripts/build.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  REPO_ROOT, startServer, launchBrowser, foreignRequests, publicCaptures, openPage, captureLocator, waitIndexed,
} from './helpers.mjs';

const CLI = path.join(REPO_ROOT, 'target', 'release', 'tracematch');
const DB = path.join(REPO_ROOT, 'www', 'geo', 'geo-whois-asn-country.mmdb');
const CAPTURE = 'pcapplusplus__dns_over_tcp.pcapng';
const corpus = publicCaptures();
const skip = !corpus ? 'SKIPPED: ../shared/captures not found' : !fs.existsSync(DB) ? 'SKIPPED: www/geo database not built' : false;
let server, browser;

before(async () => {
  if (skip) return;
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

test('endpoint countries equal the CLI with the bundled database; filter and chart', { skip }, async () => {
  const file = path.join(corpus, CAPTURE);
  const csv = execFileSync(CLI, ['endpoints', file, '--geoip', DB], { encoding: 'utf8' }).trim().split('\n').slice(1);
  const want = new Map(csv.map((l) => { const c = l.split(','); return [c[0], c[8]]; }));
  assert.ok([...want.values()].some((c) => c !== ''), 'the database places some address');

  const page = await openPage(browser.context, `${server.origin}/index.html`, [file]);
  const capture = captureLocator(page, CAPTURE);
  await waitIndexed(capture);
  await capture.locator('.endpoints[data-geo="done"]').waitFor({ timeout: 60000 });
  const rows = await capture.locator('[data-testid="endpoint-row"]').evaluateAll((rs) => rs.map((r) => [r.dataset.addr, r.dataset.country]));
  assert.equal(rows.length, want.size);
  for (const [addr, country] of rows) assert.equal(country, want.get(addr), addr);

  const chart = capture.locator('[data-testid="country-chart"]');
  const countries = [...new Set(want.values())];
  assert.equal(Number(await chart.getAttribute('data-countries')), countries.length);
  assert.ok(await chart.locator('canvas').count() > 0, 'chart drawn');

  const pick = countries.find((c) => c !== '');
  await capture.locator('[data-testid="country-filter"]').selectOption(pick);
  const shown = await capture.locator('[data-testid="endpoint-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.country));
  assert.deepEqual(shown, [...want.values()].filter((c) => c === pick));

  assert.deepEqual(foreignRequests(browser.requests, server.origin), []);
  assert.deepEqual(browser.problems, []);
});
