// The service worker of the hosted site: makes the page work offline (installable web app). It
// caches exactly the site's own files, listed and versioned at build time in www/precache.js
// (scripts/precache.mjs), and answers only requests for those files; every other request — the demo
// captures included — goes to the network untouched and is never stored. Capture files opened by
// the user are never requests at all. Registered by www/offline.js (never under file://).
/* global self, caches, importScripts */
importScripts('www/precache.js');

const PRECACHE = self.TRACEMATCH_PRECACHE;
const CACHE_PREFIX = 'tracematch-';
const CACHE = `${CACHE_PREFIX}${PRECACHE.version}`;
const BASE = new URL('./', self.location.href);
/** Absolute URLs of the precached files. */
const FILES = new Set(PRECACHE.files.map((f) => new URL(f, BASE).href));
const INDEX = new URL('index.html', BASE).href;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'reload' bypasses the HTTP cache so a new version never stores stale files.
    await cache.addAll([...FILES].map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

/** The precached URL a request stands for, or null (then the service worker stays out of it). */
function precachedUrl(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  url.hash = '';
  // Page options (?chunk=) do not make another page; the site root is index.html.
  if (request.mode === 'navigate') {
    url.search = '';
    if (url.href === BASE.href) return INDEX;
  }
  return FILES.has(url.href) ? url.href : null;
}

self.addEventListener('fetch', (event) => {
  const url = precachedUrl(event.request);
  if (!url) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(url);
    return hit || fetch(event.request);
  })());
});
