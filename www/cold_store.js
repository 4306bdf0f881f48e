// The index's cold store: when a capture's index would exceed the page's budget, its cold
// columns (file offsets, lengths, timestamps) move to a file in the Origin Private File System
// instead of indexing stopping. The worker opens one file per capture before indexing, hands its
// synchronous access handle to wasm, and deletes the file when the capture closes. Files left by
// a crashed tab are removed the next time a capture opens (files still open elsewhere are locked
// and skipped; files made in the last minute are left to the worker opening them). Where there is no OPFS the reason is returned and the budget stops indexing.
import { unavailableReason } from './index_cache.js';

/** The cold files' directory in the origin's private file system. */
const DIR_NAME = 'index-cold';

/** A file younger than this may belong to a worker that is just opening it: left alone. */
const STALE_MS = 60_000;

/** Removes this directory's files that are older than STALE_MS and that no other worker holds open. */
async function removeStale(dir) {
  const names = [];
  for await (const name of dir.keys()) names.push(name);
  for (const name of names) {
    const made = Number(/^cold-(\d+)-/.exec(name)?.[1]);
    if (Number.isFinite(made) && Date.now() - made < STALE_MS) continue;
    await dir.removeEntry(name).catch(() => {}); // open elsewhere: locked, kept
  }
}

/**
 * Opens a new cold file: resolves to { access, close() } (access: a FileSystemSyncAccessHandle;
 * close() closes it and deletes the file), or { unavailable: reason } when this page cannot have
 * one. `disabled` (the test-only ?test-no-opfs) makes it unavailable.
 */
export async function openColdFile({ disabled = false } = {}) {
  if (disabled) return { unavailable: 'OPFS unavailable (disabled by ?test-no-opfs)' };
  const why = unavailableReason();
  if (why) return { unavailable: `OPFS ${why}` };
  try {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(DIR_NAME, { create: true });
    await removeStale(dir);
    const name = `cold-${Date.now()}-${Math.random().toString(36).slice(2)}.bin`;
    const fileHandle = await dir.getFileHandle(name, { create: true });
    if (typeof fileHandle.createSyncAccessHandle !== 'function') {
      await dir.removeEntry(name).catch(() => {});
      return { unavailable: 'OPFS unavailable: this browser has no synchronous file access in workers' };
    }
    const access = await fileHandle.createSyncAccessHandle();
    let closed = false;
    return {
      access,
      async close() {
        if (closed) return;
        closed = true;
        try { access.close(); } catch { /* already closed */ }
        await dir.removeEntry(name).catch(() => {});
      },
    };
  } catch (err) {
    return { unavailable: `OPFS unavailable: the browser refused private storage (${err.message || err.name})` };
  }
}
