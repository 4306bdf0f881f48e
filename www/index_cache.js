// The local index cache: finished indexes saved in the Origin Private File System, so reopening
// the same file (same name, size, modification time and SHA-256 of its first MiB) restores its
// index instead of reading the whole file again. The worker reads and writes entries (through
// synchronous access handles where the browser offers them); the page lists and forgets them.
// Where there is no OPFS (file:// pages, opaque origins, private mode, no secure context) every
// function reports why and the page works without the cache.

/** Bytes of the file's start that go into the key's hash. */
export const HEAD_BYTES = 1 << 20;
/** The cache's directory in the origin's private file system. */
const DIR_NAME = 'index-cache';
/** Saved indexes are not written when the origin's remaining quota is below this multiple of their size. */
const QUOTA_MARGIN = 1.2;

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Why this context has no index cache, or null when it may have one. */
export function unavailableReason() {
  if (typeof location !== 'undefined' && location.protocol === 'file:') {
    return 'unavailable on pages opened from a file (file://): browsers give them no private storage';
  }
  if (typeof self !== 'undefined' && self.origin === 'null') {
    return 'unavailable here: this page has no origin of its own (opened from a file)';
  }
  if (typeof crypto === 'undefined' || !crypto.subtle) return 'unavailable: the page is not in a secure context (https or localhost)';
  if (typeof navigator === 'undefined' || !navigator.storage || typeof navigator.storage.getDirectory !== 'function') {
    return 'unavailable: this browser has no Origin Private File System';
  }
  return null;
}

/** The cache directory; rejects with a readable reason when storage is refused (private mode). */
async function cacheDir() {
  const reason = unavailableReason();
  if (reason) throw new Error(reason);
  let root;
  try {
    root = await navigator.storage.getDirectory();
  } catch (err) {
    throw new Error(`unavailable: the browser refused private storage (${err.message || err.name})`);
  }
  return root.getDirectoryHandle(DIR_NAME, { create: true });
}

/** The cache key of `file`: { name, size, lastModified, head (SHA-256 hex of the first MiB), id }. */
export async function cacheKey(file) {
  const head = hex(await crypto.subtle.digest('SHA-256', await file.slice(0, HEAD_BYTES).arrayBuffer()));
  const key = { name: file.name, size: file.size, lastModified: file.lastModified, head };
  const id = hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(key)))).slice(0, 32);
  return { ...key, id };
}

async function readFile(dir, name) {
  const handle = await dir.getFileHandle(name);
  if (typeof handle.createSyncAccessHandle === 'function') {
    const access = await handle.createSyncAccessHandle();
    try {
      const size = access.getSize();
      const bytes = new Uint8Array(size);
      let at = 0;
      while (at < size) {
        const n = access.read(bytes.subarray(at), { at });
        if (n <= 0) break;
        at += n;
      }
      return at === size ? bytes : null;
    } finally {
      access.close();
    }
  }
  return new Uint8Array(await (await handle.getFile()).arrayBuffer());
}

async function writeFile(dir, name, bytes) {
  const handle = await dir.getFileHandle(name, { create: true });
  if (typeof handle.createSyncAccessHandle === 'function') {
    const access = await handle.createSyncAccessHandle();
    try {
      access.truncate(0);
      let at = 0;
      while (at < bytes.length) {
        const n = access.write(bytes.subarray(at), { at });
        if (n <= 0) throw new Error('the private file system accepted no more bytes');
        at += n;
      }
      access.flush();
    } finally {
      access.close();
    }
    return;
  }
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.close();
}

async function remove(dir, name) {
  try {
    await dir.removeEntry(name);
  } catch (err) {
    if (err.name !== 'NotFoundError') throw err;
  }
}

const sameKey = (a, b) => a && b && a.name === b.name && a.size === b.size && a.lastModified === b.lastModified && a.head === b.head;

/**
 * The saved index of `key` (a Uint8Array), or null when there is none (or the cache is
 * unavailable). Worker side.
 */
export async function readCached(key) {
  let dir;
  try {
    dir = await cacheDir();
    const meta = JSON.parse(new TextDecoder().decode(await readFile(dir, `${key.id}.json`)));
    if (!sameKey(meta, key)) return null;
    return await readFile(dir, `${key.id}.idx`);
  } catch {
    return null;
  }
}

/**
 * Saves `bytes` (a saved index) under `key`, with `frames` for the list. Resolves to null when
 * saved, else to the reason it was not (no storage, not enough quota, a write error); never rejects.
 * The description is written last, so an interrupted write leaves no listed entry.
 */
export async function writeCached(key, bytes, frames) {
  let dir;
  try {
    dir = await cacheDir();
    const estimate = navigator.storage.estimate ? await navigator.storage.estimate() : null;
    if (estimate && estimate.quota - estimate.usage < bytes.length * QUOTA_MARGIN) return 'not enough storage quota left';
    await writeFile(dir, `${key.id}.idx`, bytes);
    const meta = { ...key, frames, bytes: bytes.length, savedAt: Date.now() };
    await writeFile(dir, `${key.id}.json`, new TextEncoder().encode(JSON.stringify(meta)));
    return null;
  } catch (err) {
    if (dir) await Promise.all([remove(dir, `${key.id}.idx`), remove(dir, `${key.id}.json`)]).catch(() => {});
    return String(err.message || err);
  }
}

/**
 * Lists the cache: { available, reason, entries: [{ id, name, size, lastModified, frames, bytes, savedAt }] }
 * (newest first). Page side.
 */
export async function listCached() {
  let dir;
  try {
    dir = await cacheDir();
  } catch (err) {
    return { available: false, reason: String(err.message || err), entries: [] };
  }
  const entries = [];
  for await (const [name, handle] of dir.entries()) {
    if (handle.kind !== 'file' || !name.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(await (await handle.getFile()).text());
      const idx = await (await dir.getFileHandle(`${meta.id}.idx`)).getFile();
      entries.push({ ...meta, bytes: idx.size });
    } catch {
      // A description without its index (or unreadable): not listed; "Forget all" removes it.
    }
  }
  entries.sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
  return { available: true, reason: null, entries };
}

/** Removes the saved index `id`. */
export async function forgetCached(id) {
  const dir = await cacheDir();
  await Promise.all([remove(dir, `${id}.json`), remove(dir, `${id}.idx`)]);
}

/** Removes every saved index (and anything else left in the cache directory). */
export async function forgetAllCached() {
  const dir = await cacheDir();
  const names = [];
  for await (const name of dir.keys()) names.push(name);
  for (const name of names) await remove(dir, name);
}
