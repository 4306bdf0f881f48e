// End-to-end test of the IO graph limited to the display filter (Wireshark's "Limit to display
// filter"): once a filter is applied in the filter bar, the IO graph says so and every interval
// equals `tracematch stats FILE -Y FILTER --csv`; its frames add up to the packets the filter
// shows; clearing the filter brings the whole-capture graph back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CLI, pageSuite, openPage, captureLocator, waitIndexed } from './helpers.mjs';

let client;
const suite = pageSuite({
  tmp: 'iofilter',
  cli: true,
  setup: ({ tmp }) => {
    execFileSync(CLI, ['synth', 'demo', tmp]);
    client = path.join(tmp, 'client.pcap');
  },
});

/** `tracematch stats FILE [-Y FILTER] --csv` rows by start second: { frames, bytes, syn, rst }. */
function cliRows(filter) {
  const args = ['stats', client, '--csv', ...(filter ? ['-Y', filter] : [])];
  const lines = execFileSync(CLI, args, { encoding: 'utf8' }).trim().split('\n');
  const head = lines[0].split(',');
  const col = (cells, name) => Number(cells[head.indexOf(name)]);
  return new Map(lines.slice(1).map((l) => l.split(',')).map((c) => [col(c, 'start'),
    { frames: col(c, 'frames'), bytes: col(c, 'bytes'), syn: col(c, 'syn'), rst: col(c, 'rst') }]));
}

/** The IO graph's rows as shown: start → { frames, bytes, syn, rst }. */
async function shownRows(graph) {
  const rows = await graph.locator('[data-testid="io-row"]').evaluateAll((rs) => rs.map((r) => ({ ...r.dataset })));
  return new Map(rows.map((r) => [Number(r.start),
    { frames: Number(r.frames), bytes: Number(r.bytes), syn: Number(r.syn), rst: Number(r.rst) }]));
}

test('the IO graph follows the applied display filter and equals stats -Y', async () => {
  const page = await openPage(suite.browser.context, suite.pageUrl(), [client]);
  try {
    const capture = captureLocator(page, 'client.pcap');
    const packets = await waitIndexed(capture);
    const graph = capture.locator('[data-testid="io-graph"]');
    await graph.waitFor({ timeout: 30000 });
    const whole = await shownRows(graph);
    assert.deepEqual(whole, cliRows(null));
    assert.equal([...whole.values()].reduce((n, r) => n + r.frames, 0), packets);

    const filter = 'tcp.port == 80 and tcp.len > 0';
    const input = capture.locator('[data-testid="filter-input"]');
    await input.fill(filter);
    await input.press('Enter');
    const limited = capture.locator(`[data-testid="io-graph"][data-filter="${filter}"]`);
    await limited.waitFor({ timeout: 60000 });
    assert.equal(await limited.locator('[data-testid="io-filter"]').textContent(), `Limited to the display filter: ${filter}`);
    const rows = await shownRows(limited);
    const want = cliRows(filter);
    assert.deepEqual(rows, want);
    const shown = execFileSync(CLI, ['filter', client, filter], { encoding: 'utf8' }).trim().split('\n').length;
    const total = [...rows.values()].reduce((n, r) => n + r.frames, 0);
    assert.equal(total, shown, 'the limited graph counts the packets the filter shows');
    assert.ok(total > 0 && total < packets, `a real restriction: ${total} of ${packets}`);

    await capture.locator('[data-testid="filter-bar"]').getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction((el) => !el.querySelector('[data-testid="io-graph"]').dataset.filter && !el.querySelector('[data-testid="io-filter"]'),
      await capture.elementHandle(), { timeout: 30000 });
    assert.deepEqual(await shownRows(capture.locator('[data-testid="io-graph"]')), whole);
  } finally {
    await page.close();
  }
});
