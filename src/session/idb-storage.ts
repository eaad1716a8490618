/**
 * The session in IndexedDB (through `idb`). One database, `dreamlift-session`,
 * with three object stores; SCHEMA_VERSION is the database version and
 * `upgrade` migrates older layouts step by step (a user who skipped versions
 * goes through each step in order).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { HistoryEntry, SessionCommit, SessionStorage } from './storage';

export const DATABASE_NAME = 'dreamlift-session';
/**
 * 1: records, blobs, history.
 * Raise it with a new `if (oldVersion < N)` step in `upgrade` whenever the layout changes;
 * changes inside a record's value are handled by that slice's own `version` and `migrate`.
 */
export const SCHEMA_VERSION = 1;

interface SessionDb extends DBSchema {
  records: { key: string; value: unknown };
  blobs: { key: string; value: Blob };
  history: { key: string; value: HistoryEntry; indexes: { createdAt: number } };
}

export async function openIdbStorage(): Promise<SessionStorage> {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available in this browser');
  const db: IDBPDatabase<SessionDb> = await openDB<SessionDb>(DATABASE_NAME, SCHEMA_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore('records');
        database.createObjectStore('blobs');
        database.createObjectStore('history', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
      }
    },
    // Another tab opened a newer version: let it upgrade; this tab keeps working in memory until reloaded.
    blocking() {
      db.close();
    },
  });

  return {
    kind: 'IndexedDB',
    async getRecords() {
      const tx = db.transaction('records');
      const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
      return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
    },
    async getBlob(id) {
      return (await db.get('blobs', id)) ?? null;
    },
    async blobIds() {
      return db.getAllKeys('blobs');
    },
    async commit(change: SessionCommit) {
      const tx = db.transaction(['records', 'blobs'], 'readwrite');
      const records = tx.objectStore('records');
      const blobs = tx.objectStore('blobs');
      const requests: Promise<unknown>[] = [];
      for (const [k, v] of Object.entries(change.records ?? {})) requests.push(records.put(v, k));
      for (const k of change.deleteRecords ?? []) requests.push(records.delete(k));
      for (const [k, v] of Object.entries(change.blobs ?? {})) requests.push(blobs.put(v, k));
      for (const k of change.deleteBlobs ?? []) requests.push(blobs.delete(k));
      try {
        await Promise.all([...requests, tx.done]);
      } catch (e) {
        // A failed request aborts the transaction; make sure, so nothing of this commit lands.
        try {
          tx.abort();
        } catch {
          /* already aborted */
        }
        throw e;
      }
    },
    async listHistory() {
      const all = await db.getAllFromIndex('history', 'createdAt');
      return all.reverse();
    },
    async addHistory(entry, bound) {
      const tx = db.transaction('history', 'readwrite');
      await tx.store.put(entry);
      const keys = await tx.store.index('createdAt').getAllKeys();
      // Oldest first: drop from the front until `bound` remain.
      for (const key of keys.slice(0, Math.max(0, keys.length - bound))) await tx.store.delete(key);
      await tx.done;
    },
    async deleteHistory(id) {
      await db.delete('history', id);
    },
    async clear() {
      const tx = db.transaction(['records', 'blobs', 'history'], 'readwrite');
      await Promise.all([tx.objectStore('records').clear(), tx.objectStore('blobs').clear(), tx.objectStore('history').clear(), tx.done]);
    },
  };
}
