// End-to-end tests of the Match view: two captures of the same traffic go in through the file
// input, the Match view runs the matcher in its worker, and the page's match table must list
// exactly the (proto, a_stream, b_stream) matches `tracematch match --json` prints for the same
// files, with the same unmatched, missing-SYN and lost counts and clock offset. Clicking a match
// follows both streams side by side and lists their packets; the CSV export holds every row. The
// flow table must show the rows of `tracematch match --flow --json` (same frames at each point), and
// a clicked match must show its changes and the per-packet diff of `--packet-diff --json` (same rows,
// the differing fields highlighted). Pairs: the shared
// two-point SNAT/PAT scenario (skipped when ../shared/captures is absent) and the project's own
// demo pair (`tracematch synth demo`). Needs the build (scripts/build.sh): www/pkg and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  REPO_ROOT, foreignRequests, openPage, captureLocator, waitIndexed, CLI, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'match', cli: true });

/** The shared SNAT/PAT scenario's client and server captures, or null. */
function twopointSnat() {
  for (const base of [path.join(REPO_ROOT, '..', 'shared', 'captures'), '/work/shared/captures']) {
    const dir = path.join(base, 'twopoint', 'snat_pat');
    if (fs.existsSync(path.join(dir, 'client.pcap')) && fs.existsSync(path.join(dir, 'server.pcap'))) {
      return [path.join(dir, 'client.pcap'), path.join(dir, 'server.pcap')];
    }
  }
  return null;
}

const key = (proto, a, b) => `${proto}:${a}:${b}`;

/** What the CLI says for the pair (`view`: extra arguments such as --flow). */
function cliReport(a, b, ...view) {
  return JSON.parse(execFileSync(CLI, ['match', a, b, '--json', ...view], { encoding: 'utf8', maxBuffer: 256 << 20 }));
}

/** The frames at each point of a flow row as the page's data-frames holds them. */
const framesOf = (row) => row.points.map((p) => (p ? p.frame : '')).join(',');

/** The flow table shows exactly the CLI's flow rows, in order, and exports them all as CSV. */
async function checkFlow(page, view, a, b) {
  const { flow } = cliReport(a, b, '--flow');
  assert.ok(flow.length > 0, 'the CLI has flow rows (the comparison means something)');
  const table = view.locator('[data-testid="flow-table"]');
  assert.equal(Number(await table.getAttribute('data-rows')), flow.length);
  const shown = await table.locator('[data-testid="flow-row"]').evaluateAll((els) => els.map((e) => [e.dataset.event, e.dataset.frames]));
  assert.deepEqual(shown, flow.slice(0, 5000).map((r) => [r.event, framesOf(r)]));
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    view.locator('[data-testid="csv-export"][data-table="flow-table"]').click(),
  ]);
  const csvPath = path.join(suite.tmp, `flow-${Date.now()}.csv`);
  await download.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').split('\r\n').filter((l) => l.length > 0);
  assert.equal(lines.length, flow.length + 1);
  const first = lines[1].split(',');
  assert.equal(first[0], flow[0].event);
  assert.equal(first[2], String(flow[0].points[0].frame));
}

/** The clicked match `m` shows its change list and the CLI's per-packet diff of it. */
async function checkDetails(page, view, a, b, m) {
  const changes = await view.locator('[data-testid="change-row"]').evaluateAll((els) => els.map((e) => [e.dataset.what, e.dataset.dir]));
  assert.deepEqual(changes, m.changes.map((c) => [c.what, c.dir]));
  const diffs = cliReport(a, b, '--packet-diff').packet_diff;
  const want = diffs.find((d) => d.proto === m.proto && d.a_stream === m.a_stream && d.b_stream === m.b_stream);
  assert.ok(want && want.rows.length > 0, 'the CLI has a packet diff for this match');
  await view.locator('[data-testid="packet-diff"][data-state="done"]').waitFor({ timeout: 20000 });
  const rows = view.locator('[data-testid="packet-diff-row"]');
  const got = await rows.evaluateAll((els) => els.map((e) => [e.dataset.status, e.dataset.aFrame || '', e.dataset.bFrame || '', e.dataset.differs,
    e.querySelectorAll('td.cell-differs').length]));
  assert.deepEqual(got, want.rows.map((r) => [r.status, r.a ? String(r.a.frame) : '', r.b ? String(r.b.frame) : '', r.differs.join(','),
    r.status === 'paired' ? 2 * r.differs.length : 0]));
  assert.ok(want.rows.some((r) => r.differs.length > 0), 'some field differs between the points (the highlight is exercised)');
}

/** Opens both files, runs the Match view, checks it against the CLI's JSON. */
async function checkPair(a, b, { details = false } = {}) {
  const expected = cliReport(a, b);
  assert.ok(expected.matches.length > 0, 'the CLI matched something (the comparison means something)');
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [a, b]);
  for (const f of [a, b]) await waitIndexed(captureLocator(page, path.basename(f)));
  await page.locator('[data-testid="match-open"]').click();
  const view = page.locator('[data-testid="match-view"]');
  // Open order is comparison order: A = a, B = b.
  const names = await view.locator('[data-testid="match-capture"]').evaluateAll((els) => els.map((e) => e.dataset.name));
  assert.deepEqual(names, [path.basename(a), path.basename(b)]);
  await view.locator('[data-testid="match-label"]').first().fill('client side');
  await view.locator('[data-testid="match-run"]').click();
  const results = view.locator('[data-testid="match-results"]:not([hidden])');
  const failure = view.locator('[data-testid="match-error"]:not([hidden])');
  await results.or(failure).first().waitFor({ timeout: 120000 });
  assert.equal(await failure.count(), 0, `matching failed: ${await failure.textContent().catch(() => '')}`);

  // The match table: one row per match, the same (proto, a_stream, b_stream) set as the CLI.
  const rows = await view.locator('[data-testid="match-row"]').evaluateAll((els) =>
    els.map((e) => [e.dataset.proto, e.dataset.aStream, e.dataset.bStream]));
  assert.equal(rows.length, expected.matches.length, 'one match-row per match');
  const got = rows.map(([p, x, y]) => key(p, x, y)).sort();
  const want = expected.matches.map((m) => key(m.proto, m.a_stream, m.b_stream)).sort();
  assert.deepEqual(got, want);
  for (const [table, list] of [['unmatched-a', expected.unmatched_a], ['unmatched-b', expected.unmatched_b],
    ['missing-syn', expected.missing_syn], ['lost', expected.lost]]) {
    assert.equal(Number(await view.locator(`[data-testid="${table}"]`).getAttribute('data-rows')), list.length, table);
  }
  if (expected.clock) {
    const offset = await view.locator('[data-testid="match-clock"] dd[data-fact="Offset (B − A)"]').textContent();
    assert.equal(offset, `${expected.clock.offset_s.toFixed(6)} s`);
  }
  assert.match(await view.locator('[data-testid="match-clock"] h3').textContent(), /relative to client side/);

  // Filtering by method keeps exactly the rows whose method has that part.
  const method = expected.matches[0].method.split('+')[0];
  await view.locator('[data-testid="match-filter-method"]').selectOption(method);
  const filtered = await view.locator('[data-testid="match-row"]').count();
  assert.equal(filtered, expected.matches.filter((m) => m.method.split('+').includes(method)).length);
  await view.locator('[data-testid="match-filter-method"]').selectOption('');
  await view.locator('[data-testid="match-filter-confidence"]').fill('1.01');
  assert.equal(await view.locator('[data-testid="match-row"]').count(), 0, 'no confidence above 1');
  await view.locator('[data-testid="match-filter-confidence"]').fill('');

  // Sorting by B stream descending puts the largest first.
  const sortB = view.locator('[data-testid="match-table"] th button', { hasText: 'B stream' });
  await sortB.click();
  await sortB.click();
  const firstB = Number(await view.locator('[data-testid="match-row"]').first().getAttribute('data-b-stream'));
  assert.equal(firstB, Math.max(...expected.matches.map((m) => m.b_stream)));

  if (details) await checkFlow(page, view, a, b);

  // CSV export of the match table: a header plus every match.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    view.locator('[data-testid="csv-export"][data-table="match-table"]').click(),
  ]);
  const csvPath = path.join(suite.tmp, `${Date.now()}.csv`);
  await download.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').split('\r\n').filter((l) => l.length > 0);
  assert.equal(lines.length, expected.matches.length + 1);
  assert.match(lines[0], /^Proto,A stream,A tuple,B stream/);

  // Clicking a match follows both streams side by side (the Follow view of each capture) and lists
  // their packets. A TCP match through NAT with no loss carries the same bytes at both points.
  const m = expected.matches.find((x) => x.proto === 'tcp' && x.lost_a === 0 && x.lost_b === 0) || expected.matches[0];
  await view.locator(`[data-testid="match-row"][data-proto="${m.proto}"][data-a-stream="${m.a_stream}"][data-b-stream="${m.b_stream}"]`).click();
  const sides = view.locator('[data-testid="match-side"]');
  await sides.nth(1).locator('[data-testid="packet-list"]').waitFor({ timeout: 20000 });
  assert.equal(await sides.count(), 2);
  assert.deepEqual(await sides.evaluateAll((els) => els.map((e) => e.dataset.stream)), [String(m.a_stream), String(m.b_stream)]);
  for (let i = 0; i < 2; i++) {
    assert.ok(Number(await sides.nth(i).locator('[data-testid="packet-list"]').getAttribute('data-rows')) > 0, `side ${i} lists packets`);
  }
  const follows = view.locator('[data-testid="match-follow"] [data-testid="follow"]');
  await page.waitForFunction(() => {
    const els = [...document.querySelectorAll('[data-testid="match-follow"] [data-testid="follow"]')];
    return els.length === 2 && els.every((e) => e.dataset.state === 'done' || e.dataset.state === 'error');
  }, null, { timeout: 20000 });
  assert.deepEqual(await follows.evaluateAll((els) => els.map((e) => [e.dataset.proto, e.dataset.stream, e.dataset.state])),
    [[m.proto, String(m.a_stream), 'done'], [m.proto, String(m.b_stream), 'done']]);
  if (m.proto === 'tcp' && m.lost_a === 0 && m.lost_b === 0) {
    const [textA, textB] = await follows.evaluateAll((els) => els.map((e) => e.textContent));
    assert.ok(textA.length > 0, 'the followed stream has content');
    assert.equal(textA, textB, 'same bytes at both points');
  }
  if (details) await checkDetails(page, view, a, b, m);
  if (process.env.TRACEMATCH_SCREENSHOT) await page.screenshot({ path: process.env.TRACEMATCH_SCREENSHOT, fullPage: true });
  await page.close();
}

test('Match view on the shared SNAT/PAT client/server pair agrees with tracematch match --json', async (t) => {
  const pair = twopointSnat();
  if (!pair) {
    t.skip('SKIPPED: ../shared/captures/twopoint/snat_pat not found');
    return;
  }
  await checkPair(pair[0], pair[1]);
});

test('Match view on the demo pair agrees with tracematch match --json, --flow and --packet-diff', async () => {
  const dir = path.join(suite.tmp, 'demo');
  execFileSync(CLI, ['synth', 'demo', dir]);
  await checkPair(path.join(dir, 'client.pcap'), path.join(dir, 'server.pcap'), { details: true });
});

test('no request left the page\'s origin, and no page error or CSP violation happened', () => {
  assert.ok(suite.browser.requests.some((u) => u.endsWith('/www/match_worker.js')), 'the match worker was loaded');
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
