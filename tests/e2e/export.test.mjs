// End-to-end test of the page's packet exports: a TCP session, one of its packet lots, a UDP and an
// IP conversation, each downloaded as pcap or pcapng (a Blob download, no request leaves the page),
// then checked with the CLI: the downloaded bytes equal `tracematch export` of the same selection,
// and the frames read back equal tshark's frame list from the oracle. Skips when the shared corpus
// is absent. Needs scripts/build.sh (www/pkg/ and target/release/tracematch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  foreignRequests, publicCaptures, oracle, openPage, captureLocator, waitIndexed, CLI, pageSuite,
} from './helpers.mjs';

const CAPTURE = 'arkime__wireshark-retrans.pcap'; // one TCP session with several packet lots
const NG_CAPTURE = 'pcapplusplus__dns_over_tcp.pcapng';
const corpus = publicCaptures();
const suite = pageSuite({ tmp: 'export', cli: true });

/** Clicks `button` and saves the download it starts; returns { file, name }. */
async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), button.click()]);
  const name = dl.suggestedFilename();
  const file = path.join(suite.tmp, name);
  await dl.saveAs(file);
  return { file, name };
}

/** The CLI's export of the same selection. */
function cliExport(capture, args, format) {
  const out = path.join(suite.tmp, `cli-${Math.random().toString(36).slice(2)}.${format}`);
  execFileSync(CLI, ['export', capture, ...args, '-F', format, '-w', out]);
  return fs.readFileSync(out);
}

/** Frame count of a capture as the CLI reads it. */
function cliFrames(file) {
  return Number(/^Packets:\s+(\d+)/m.exec(execFileSync(CLI, ['info', file], { encoding: 'utf8' }))[1]);
}

test('session, lot and conversation downloads equal the CLI export and tshark', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const capturePath = path.join(corpus, CAPTURE);
  const o = oracle(corpus, CAPTURE);
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [capturePath]);
  const capture = captureLocator(page, CAPTURE);
  assert.equal(await waitIndexed(capture), o.packets);

  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  await capture.locator('[data-testid="conv-row"][data-stream="0"]').first().click();
  const session = capture.locator('[data-testid="session"][data-stream="0"][data-status="done"]');
  await session.waitFor({ timeout: 30000 });

  // The session as pcapng (default format).
  const sessionButton = session.locator('[data-testid="export-button"][data-scope="session"]');
  const s = await download(page, sessionButton);
  assert.match(s.name, /tcp0\.pcapng$/);
  const sessionBytes = fs.readFileSync(s.file);
  assert.ok(sessionBytes.equals(cliExport(capturePath, ['--stream', 'tcp:0'], 'pcapng')), 'session bytes equal the CLI export');
  assert.equal(cliFrames(s.file), o.framesOfTcpStream(0).length);
  assert.equal(Number(await sessionButton.getAttribute('data-packets')), o.framesOfTcpStream(0).length);

  // Lot 2 as pcap.
  await capture.locator('[data-testid="export-format"]').selectOption('pcap');
  const lotRow = session.locator('[data-testid="lot-row"][data-lot="2"]');
  const lotPackets = Number(await lotRow.getAttribute('data-packets'));
  const l = await download(page, lotRow.locator('[data-testid="export-button"][data-scope="lot"]'));
  assert.match(l.name, /tcp0-lot2\.pcap$/);
  const lotBytes = fs.readFileSync(l.file);
  assert.equal(lotBytes.readUInt32LE(0), 0xa1b2c3d4, 'classic pcap');
  assert.ok(lotBytes.equals(cliExport(capturePath, ['--stream', 'tcp:0', '--lot', '2'], 'pcap')), 'lot bytes equal the CLI export');
  assert.equal(cliFrames(l.file), lotPackets);

  // The IP conversation of the session's two hosts, as pcap.
  await capture.locator('[data-testid="conv-tab"][data-kind="ip"]').click();
  await capture.locator('[data-testid="conv-row"]').first().click();
  const c = await download(page, capture.locator('[data-testid="export-button"][data-scope="conversation"]'));
  const [a, b] = [o.tcp[0].addr_a, o.tcp[0].addr_b];
  assert.ok(fs.readFileSync(c.file).equals(cliExport(capturePath, ['--conversation', `${a},${b}`], 'pcap')), 'conversation bytes equal the CLI export');
  assert.equal(cliFrames(c.file), o.packets);

  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
  await page.close();
});

test('a pcapng conversation download keeps interfaces and carries the key log', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const capturePath = path.join(corpus, NG_CAPTURE);
  const o = oracle(corpus, NG_CAPTURE);
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [capturePath]);
  const capture = captureLocator(page, NG_CAPTURE);
  assert.equal(await waitIndexed(capture), o.packets);
  const keylog = path.join(suite.tmp, 'keys.txt');
  fs.writeFileSync(keylog, 'CLIENT_RANDOM 00112233 44556677\n');
  await capture.locator('[data-testid="keylog-input"]').setInputFiles(keylog);
  await capture.locator('[data-testid="export-options"][data-keylog="loaded"]').waitFor({ state: 'attached' });
  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  await capture.locator('[data-testid="conv-row"][data-stream="1"]').first().click();
  const d = await download(page, capture.locator('[data-testid="export-button"][data-scope="conversation"]'));
  const bytes = fs.readFileSync(d.file);
  assert.ok(bytes.equals(cliExport(capturePath, ['--stream', 'tcp:1', '--keylog', keylog], 'pcapng')), 'bytes equal the CLI export with the key log');
  assert.ok(bytes.includes(Buffer.from('CLIENT_RANDOM 00112233 44556677\n')), 'key log in the file');
  assert.equal(cliFrames(d.file), o.framesOfTcpStream(1).length);
  assert.deepEqual(suite.browser.problems, []);
  await page.close();
});
