// Third-party JavaScript is vendored under www/vendor/<library>/ with its license, and nothing the
// page loads comes from another origin (no CDN): static checks over the page's own files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

function filesUnder(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

test('every vendored library folder carries its license text', () => {
  const vendor = join(root, 'www/vendor');
  const libs = readdirSync(vendor).filter((n) => statSync(join(vendor, n)).isDirectory());
  assert.ok(libs.includes('uplot'), `vendored: ${libs}`);
  for (const lib of libs) {
    const names = readdirSync(join(vendor, lib));
    const license = names.find((n) => /^(LICEN[CS]E|COPYING)(\.|$)/i.test(n));
    assert.ok(license, `www/vendor/${lib} has no LICENSE file (${names})`);
    const text = readFileSync(join(vendor, lib, license), 'utf8');
    assert.match(text, /permission|license/i, `www/vendor/${lib}/${license} is not a license text`);
  }
  assert.match(readFileSync(join(vendor, 'uplot/LICENSE'), 'utf8'), /MIT License/);
});

test('the page loads scripts, styles and modules only from its own files', () => {
  const files = [join(root, 'index.html'), ...filesUnder(join(root, 'www')).filter((p) =>
    /\.(m?js|html|css)$/.test(p) && !p.includes('/www/pkg/'))];
  const remote = /(?:src|href)\s*=\s*["']\s*(?:https?:)?\/\/|import\s*(?:[^'"]*from\s*)?["']\s*(?:https?:)?\/\/|@import\s+(?:url\()?["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\/(?!www\.w3\.org)/i;
  const offenders = [];
  for (const f of files) {
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (remote.test(line)) offenders.push(`${f.slice(root.length)}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(offenders, []);
});
