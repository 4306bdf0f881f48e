// Shared helpers for the end-to-end tests: a tiny static server for the repository root, headless
// Chromium through playwright-core (Debian's /usr/bin/chromium, never a downloaded browser), the
// shared tshark oracles, and a generator for synthetic pcaps.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.pcap': 'application/vnd.tcpdump.pcap', '.gz': 'application/gzip',
};

/** The release CLI the build makes (tests that compare the page with it need it). */
export const CLI = path.join(REPO_ROOT, 'target', 'release', 'tracematch');

/**
 * Registers the before/after hooks of a test file that drives the page: checks the build (www/pkg,
 * and with `cli: true` the release CLI), starts the static server and headless Chromium, and with
 * `tmp: 'name'` makes a temporary folder `tracematch-e2e-name-*` (removed after); `setup(suite)`,
 * if given, runs last in the same hook (node:test may start a file's other root hooks before this
 * one's awaits end, so work that needs the browser or the folder belongs here). Returns an object
 * whose `server`, `browser` and `tmp` are set once the hooks ran, and `pageUrl(query)`.
 */
export function pageSuite({ tmp = null, cli = false, setup = null } = {}) {
  const suite = {
    server: null,
    browser: null,
    tmp: null,
    pageUrl: (query = '') => `${suite.server.origin}/index.html${query}`,
  };
  before(async () => {
    if (!fs.existsSync(path.join(REPO_ROOT, 'www', 'pkg', 'tracematch_bg.wasm'))) {
      throw new Error('www/pkg is missing: run bash scripts/build.sh first');
    }
    if (cli && !fs.existsSync(CLI)) throw new Error('target/release/tracematch is missing: run bash scripts/build.sh first');
    if (tmp) suite.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tracematch-e2e-${tmp}-`));
    suite.server = await startServer();
    suite.browser = await launchBrowser();
    if (setup) await setup(suite);
  });
  after(async () => {
    if (suite.browser) await suite.browser.close();
    if (suite.server) await suite.server.close();
    if (suite.tmp) fs.rmSync(suite.tmp, { recursive: true, force: true });
  });
  return suite;
}

/** Serves `root` on a free 127.0.0.1 port; resolves to { origin, close() }. */
export function startServer(root = REPO_ROOT) {
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname.endsWith('/')) pathname += 'index.html';
    const file = path.resolve(root, '.' + pathname);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-store' });
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Chromium flags from BUILD-NOTES.md (no network side channels, no first-run work). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/**
 * Launches headless Chromium with a fresh profile. Every request of every page (and worker) is
 * recorded in `requests`; page errors and CSP violations in `problems`.
 */
export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tracematch-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  const requests = [];
  const problems = [];
  context.on('request', (r) => requests.push(r.url()));
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`pageerror: ${String(e).slice(0, 300)}`));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text().slice(0, 300)}`);
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);
  return {
    context,
    requests,
    problems,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Requests that went anywhere but `origin` (blob: and data: URLs belong to the page). */
export function foreignRequests(requests, origin) {
  return requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
}

/** The shared public captures: <repo>/../shared/captures/public, else /work/shared/captures/public. */
export function publicCaptures() {
  for (const base of [path.join(REPO_ROOT, '..', 'shared', 'captures'), '/work/shared/captures']) {
    const dir = path.join(base, 'public');
    if (fs.existsSync(path.join(dir, 'oracle'))) return dir;
  }
  return null;
}

/** Rows of a tab-separated oracle file as objects keyed by the header. */
export function readTsv(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** What tshark says about `name`: packets, TCP/UDP stream rows, frames per tcp.stream. */
export function oracle(dir, name) {
  const o = path.join(dir, 'oracle', name);
  const packets = readTsv(path.join(o, 'packets.tsv'));
  const framesOfTcpStream = (id) => packets
    .filter((p) => p['tcp.stream'] !== '' && p['tcp.stream'].split(',').includes(String(id)))
    .map((p) => Number(p['frame.number']));
  return {
    packets: packets.length,
    tcp: readTsv(path.join(o, 'tcp_streams.tsv')),
    udp: readTsv(path.join(o, 'udp_streams.tsv')),
    framesOfTcpStream,
  };
}

/** Opens the page and loads `files` (paths) through the file input. */
export async function openPage(context, url, files = []) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  if (files.length) await page.setInputFiles('[data-testid="file-input"]', files);
  return page;
}

/** The capture element for a file name (attribute selector safe for any name). */
export function captureLocator(page, name) {
  return page.locator(`[data-testid="capture"][data-name="${cssString(name)}"]`);
}

/** Escapes a string for use inside a double-quoted CSS attribute selector. */
export function cssString(s) {
  return s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\a ');
}

/**
 * Waits until indexing of the capture ended; returns data-packets as a number. Fails at once, with
 * the page's error text, when the worker itself failed (no summary will come).
 */
export async function waitIndexed(capture, timeout = 60000) {
  const summary = capture.locator('[data-testid="summary"][data-packets]');
  const failed = capture.locator('xpath=self::*[@data-status="failed"]');
  await summary.or(failed).first().waitFor({ state: 'attached', timeout });
  if ((await capture.getAttribute('data-status')) === 'failed') {
    const text = await capture.locator('[data-testid="error"]').textContent();
    throw new Error(`indexing failed in the page: ${text}`);
  }
  return Number(await summary.getAttribute('data-packets'));
}

/** Data attributes of the rendered rows of a virtual table. */
export async function renderedRows(table, attr) {
  return table.locator('.vt-row').evaluateAll((rows, a) => rows.map((r) => r.getAttribute(a)), attr);
}

// ---------------------------------------------------------------------------------------------
// Synthetic captures (little-endian µs pcap, Ethernet / IPv4 / TCP or UDP).

function ipv4Checksum(header) {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i] << 8) | header[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ethIpv4(src, dst, proto, l4) {
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + l4.length, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = proto;
  Buffer.from(src).copy(ip, 12);
  Buffer.from(dst).copy(ip, 16);
  ip.writeUInt16BE(ipv4Checksum(ip), 10);
  return Buffer.concat([eth, ip, l4]);
}

function tcp(sport, dport, seq, ack, flags, payload) {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

function udp(sport, dport, payload) {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

/**
 * Writes a pcap with `tcpFlows` TCP connections (handshake, `dataPackets` data segments each way
 * alternating, FIN/ACK both ways) and `udpFlows` UDP request/response pairs, interleaved in time.
 * Returns { packets, tcpFlows, udpFlows, framesOfTcpStream: Map(stream → [frame numbers]) }.
 */
export function writeSyntheticPcap(file, { tcpFlows = 10, udpFlows = 5, dataPackets = 4, payloadBytes = 100 } = {}) {
  const records = [];
  const streams = new Map();
  let usec = 1_700_000_000_000_000;
  const push = (data, stream) => {
    const hdr = Buffer.alloc(16);
    hdr.writeUInt32LE(Math.floor(usec / 1e6), 0);
    hdr.writeUInt32LE(usec % 1e6, 4);
    hdr.writeUInt32LE(data.length, 8);
    hdr.writeUInt32LE(data.length, 12);
    records.push(hdr, data);
    usec += 137;
    if (stream !== undefined) {
      if (!streams.has(stream)) streams.set(stream, []);
      streams.get(stream).push(records.length / 2);
    }
  };
  const payload = Buffer.alloc(payloadBytes, 0x61);
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  for (let f = 0; f < tcpFlows; f++) {
    const a = [10, 1, (f >> 8) & 255, f & 255], b = [192, 168, 0, 1];
    const sport = 20000 + (f % 40000), dport = 80;
    let sa = 1000, sb = 5000;
    push(ethIpv4(a, b, 6, tcp(sport, dport, sa, 0, SYN, Buffer.alloc(0))), f);
    push(ethIpv4(b, a, 6, tcp(dport, sport, sb, sa + 1, SYN | ACK, Buffer.alloc(0))), f);
    sa++; sb++;
    push(ethIpv4(a, b, 6, tcp(sport, dport, sa, sb, ACK, Buffer.alloc(0))), f);
    for (let i = 0; i < dataPackets; i++) {
      if (i % 2 === 0) { push(ethIpv4(a, b, 6, tcp(sport, dport, sa, sb, PSH | ACK, payload)), f); sa += payload.length; }
      else { push(ethIpv4(b, a, 6, tcp(dport, sport, sb, sa, PSH | ACK, payload)), f); sb += payload.length; }
    }
    push(ethIpv4(a, b, 6, tcp(sport, dport, sa, sb, FIN | ACK, Buffer.alloc(0))), f);
    push(ethIpv4(b, a, 6, tcp(dport, sport, sb, sa + 1, FIN | ACK, Buffer.alloc(0))), f);
    if (f < udpFlows) {
      const c = [10, 2, (f >> 8) & 255, f & 255], d = [10, 3, 0, 53];
      push(ethIpv4(c, d, 17, udp(30000 + f, 53, payload)));
      push(ethIpv4(d, c, 17, udp(53, 30000 + f, payload)));
    }
  }
  for (let f = tcpFlows; f < udpFlows; f++) {
    const c = [10, 2, (f >> 8) & 255, f & 255], d = [10, 3, 0, 53];
    push(ethIpv4(c, d, 17, udp(30000 + f, 53, payload)));
    push(ethIpv4(d, c, 17, udp(53, 30000 + f, payload)));
  }
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  return { packets: records.length / 2, tcpFlows, udpFlows, framesOfTcpStream: streams };
}

/**
 * Types `text` in the capture's filter bar, presses Enter and waits for the run to end (done,
 * error or cancelled); resolves to that state.
 */
export async function applyFilter(capture, text, timeout = 120000) {
  const input = capture.locator('[data-testid="filter-input"]');
  await input.fill(text);
  await input.press('Enter');
  const bar = capture.locator('[data-testid="filter-bar"]');
  await capture.page().waitForFunction(([el, t]) => el.dataset.filter === t && ['done', 'error', 'cancelled'].includes(el.dataset.state),
    [await bar.elementHandle(), text], { timeout });
  return bar.getAttribute('data-state');
}
