// Builds dist/tracematch.html: the whole page in ONE self-contained file that works from file://
// with no server (locked-down workstations). Run by scripts/build.sh after www/pkg/ is built:
//   node scripts/single_file.mjs [OUT]            (default dist/tracematch.html)
//
// What goes in (see ../shared/BUILD-NOTES.md for why each piece is done this way):
//  - the page's ES modules (the module scripts index.html names) bundled by esbuild into one inline
//    module script, with www/platform.js swapped for scripts/single_file/platform.js;
//  - each worker (www/worker.js, match_worker.js, and the nested analysis_worker.js, read_worker.js)
//    bundled as a classic script, kept as a string and started from a blob: URL; in workers
//    www/platform.js becomes scripts/single_file/platform_in_worker.js and the wasm glue's init one
//    that takes the compiled WebAssembly.Module posted by the worker's starter (wasm_in_worker.js);
//  - the wasm itself, base64, compiled once by the page;
//  - every stylesheet (the app's and uPlot's) in one inline <style>, the favicon as a data: URL;
//  - its own Content-Security-Policy: script and style allowed only by hash, 'wasm-unsafe-eval',
//    blob: workers, Trusted Types required, and no network at all (connect-src 'none').
//
// esbuild (npm, pinned in package.json) does the bundling: it implements ES module semantics
// (live bindings, import order, name clashes between modules) correctly, which a hand-written
// concatenation of modules would not.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const HERE = path.join(ROOT, 'scripts', 'single_file');
const WASM = path.join(WWW, 'pkg', 'tracematch_bg.wasm');
const GLUE = path.join(WWW, 'pkg', 'tracematch.js');

/** The workers, by the name www/platform.js's createWorker() takes. */
const WORKERS = { index: 'worker.js', match: 'match_worker.js', analysis: 'analysis_worker.js', read: 'read_worker.js' };
/** The workers that workers start (their code travels to every worker; see start_worker.js). */
const NESTED_WORKERS = ['analysis', 'read'];

const out = path.resolve(process.argv[2] || path.join(ROOT, 'dist', 'tracematch.html'));

function fail(message) {
  console.error(`single_file: ${message}`);
  process.exit(1);
}

/** esbuild plugin: redirects imports of `from` (resolved path) made by importers matching `importer`. */
function redirect(name, from, to, importer = () => true) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !args.path.startsWith('.')) return undefined;
        const resolved = path.resolve(args.resolveDir, args.path);
        if (resolved !== from || !importer(args.importer)) return undefined;
        return { path: to };
      });
    },
  };
}

const COMMON = {
  bundle: true,
  write: false,
  minify: true,
  legalComments: 'inline',
  target: ['chrome120', 'firefox120', 'safari17'],
  platform: 'browser',
  charset: 'utf8',
  logLevel: 'warning',
};

/** One worker as a classic script (its text). */
async function buildWorker(file) {
  const result = await esbuild.build({
    ...COMMON,
    entryPoints: [path.join(WWW, file)],
    format: 'iife',
    // The glue mentions import.meta.url only for the default wasm path, which is never used here.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [
      redirect('wasm-in-worker', GLUE, path.join(HERE, 'wasm_in_worker.js'), (importer) => importer !== path.join(HERE, 'wasm_in_worker.js')),
      redirect('platform-in-worker', path.join(WWW, 'platform.js'), path.join(HERE, 'platform_in_worker.js')),
    ],
  });
  return result.outputFiles[0].text;
}

/**
 * Fails when page code starts a worker by URL instead of through www/platform.js: such a worker
 * would not exist inside the single file (a module worker from file:// does not start).
 */
function checkWorkersGoThroughPlatform(dir = WWW) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['pkg', 'vendor', 'demo'].includes(entry.name)) checkWorkersGoThroughPlatform(full);
    } else if (entry.name.endsWith('.js') && full !== path.join(WWW, 'platform.js')) {
      if (/new\s+(Shared)?Worker\s*\(\s*new\s+URL\s*\(/.test(fs.readFileSync(full, 'utf8'))) {
        fail(`${path.relative(ROOT, full)} starts a worker itself: use createWorker() from www/platform.js (and list the worker there and in WORKERS here)`);
      }
    }
  }
}

/** The module scripts and stylesheets index.html loads, in order. */
function pageParts(html) {
  const scripts = [...html.matchAll(/<script\s+type="module"\s+src="([^"]+)"\s*><\/script>/g)].map((m) => m[1]);
  const styles = [...html.matchAll(/<link\s+rel="stylesheet"\s+href="([^"]+)"\s*>/g)].map((m) => m[1]);
  if (scripts.length === 0) fail('index.html names no <script type="module" src>');
  return { scripts, styles };
}

/** The page's modules as one ES module (its text). */
async function buildPage(scripts, embedded) {
  const result = await esbuild.build({
    ...COMMON,
    stdin: { contents: scripts.map((s) => `import ${JSON.stringify('./' + s)};`).join('\n'), resolveDir: ROOT, sourcefile: 'index.html' },
    format: 'esm',
    plugins: [
      redirect('single-file-platform', path.join(WWW, 'platform.js'), path.join(HERE, 'platform.js')),
      {
        name: 'embedded',
        setup(build) {
          build.onResolve({ filter: /^tracematch:embedded$/ }, () => ({ path: 'embedded', namespace: 'tracematch' }));
          build.onLoad({ filter: /.*/, namespace: 'tracematch' }, () => ({
            contents: Object.entries(embedded).map(([k, v]) => `export const ${k} = ${JSON.stringify(v)};`).join('\n'),
            loader: 'js',
          }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/** Text safe inside a <script> / <style> element (no end tag or comment opener inside it). */
function inlineSafe(text, tag) {
  const escaped = tag === 'script' ? text.replace(/<\/(script)/gi, '<\\/$1') : text;
  if (new RegExp(`</${tag}`, 'i').test(escaped) || /<!--/.test(escaped)) fail(`cannot inline: the ${tag} text contains </${tag} or <!--`);
  return escaped;
}

/** The licenses of the vendored libraries bundled into the file (www/vendor/NAME/LICENSE), as an HTML comment. */
function licenseNotice() {
  const vendor = path.join(WWW, 'vendor');
  const parts = [];
  for (const name of fs.readdirSync(vendor).sort()) {
    const license = path.join(vendor, name, 'LICENSE');
    if (fs.existsSync(license)) parts.push(`${name} (www/vendor/${name}), bundled below:\n\n${fs.readFileSync(license, 'utf8').trim()}`);
  }
  const text = `tracematch single-file build (scripts/single_file.mjs). Third-party code in this file:\n\n${parts.join('\n\n')}`;
  if (text.includes('--')) fail('a vendored LICENSE contains "--", which cannot sit in an HTML comment');
  return `<!--\n${text}\n-->`;
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

async function main() {
  if (!fs.existsSync(WASM) || !fs.existsSync(GLUE)) fail('www/pkg/ is missing: run scripts/build.sh first');
  const html = fs.readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const { scripts, styles } = pageParts(html);
  checkWorkersGoThroughPlatform();

  const workerSources = {};
  for (const [name, file] of Object.entries(WORKERS)) workerSources[name] = await buildWorker(file);
  const script = inlineSafe(await buildPage(scripts, {
    WORKER_SOURCES: workerSources,
    NESTED_WORKERS,
    WASM_BASE64: fs.readFileSync(WASM).toString('base64'),
  }), 'script');
  const style = inlineSafe(styles.map((href) => `/* ${href} */\n${fs.readFileSync(path.join(ROOT, href), 'utf8')}`).join('\n'), 'style');

  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)} 'wasm-unsafe-eval'`,
    `style-src ${sha256(style)}`,
    'img-src blob: data:',
    'worker-src blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types tracematch-workers',
  ].join('; ');

  let page = html;
  const replaceOnce = (pattern, replacement, what) => {
    if (!pattern.test(page)) fail(`index.html has no ${what}`);
    page = page.replace(pattern, replacement);
  };
  replaceOnce(/<meta http-equiv="Content-Security-Policy" content="[^"]*">/, () => `<meta http-equiv="Content-Security-Policy" content="${csp}">`, 'CSP meta');
  const icon = path.join(WWW, 'favicon.svg');
  replaceOnce(/<link rel="icon" href="[^"]*" type="image\/svg\+xml">/, () => `<link rel="icon" href="data:image/svg+xml;base64,${fs.readFileSync(icon).toString('base64')}" type="image/svg+xml">`, 'favicon link');
  // Links to the hosted site's own files (the manifest) mean nothing next to a single file.
  page = page.replace(/\s*<link rel="manifest" href="[^"]*">/g, '');
  page = page.replace(/\s*<link rel="stylesheet" href="[^"]*">/g, '');
  page = page.replace(/\s*<script type="module" src="[^"]*"><\/script>/g, '');
  // No demo captures sit next to a single file: hide the button that would fetch them.
  replaceOnce(/<button type="button" class="btn btn-quiet" id="demo-button"/, (m) => `${m} hidden`, 'demo button');
  replaceOnce(/^<!doctype html>\n/i, (m) => `${m}${licenseNotice()}\n`, 'doctype');
  replaceOnce(/<\/head>/, () => `<style>${style}</style>\n</head>`, '</head>');
  replaceOnce(/<\/body>/, () => `<script type="module">${script}</script>\n</body>`, '</body>');

  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, page);
  console.error(`single_file: wrote ${path.relative(ROOT, out)} (${(page.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => fail(err.stack || String(err)));
