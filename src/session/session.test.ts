import { describe, expect, it, vi } from 'vitest';
import { mergeSettings } from './merge';
import { hydrate, SessionWriter, describeStorageError, type PersistedSlice } from './session';
import { createMemoryStorage, type SessionCommit, type SessionStorage } from './storage';
import { thumbnailSize, HISTORY_BOUND, THUMBNAIL_SIDE } from './dream-history';

/** A slice over a plain variable, with a change hook the test fires. */
function fakeSlice(key: string, initial: unknown, blobs: () => Record<string, Blob> = () => ({})) {
  let value = initial;
  let listener: (() => void) | null = null;
  const restored: unknown[] = [];
  const slice: PersistedSlice = {
    key,
    version: 2,
    snapshot: () => ({ value, blobs: blobs() }),
    restore: (v) => {
      restored.push(v);
    },
    migrate: (v, from) => (from === 1 ? { migrated: v } : null),
    subscribe: (onChange) => {
      listener = onChange;
      return () => {
        listener = null;
      };
    },
  };
  return {
    slice,
    restored,
    set(next: unknown) {
      value = next;
      listener?.();
    },
  };
}

/** Memory storage whose commits fail while `failing` is true (as a full disk or a closing database would). */
function failingStorage(): SessionStorage & { failing: boolean; commits: SessionCommit[] } {
  const inner = createMemoryStorage();
  const s = {
    ...inner,
    failing: false,
    commits: [] as SessionCommit[],
    async commit(change: SessionCommit) {
      s.commits.push(change);
      if (s.failing) {
        const e = new Error('The quota has been exceeded.');
        e.name = 'QuotaExceededError';
        throw e;
      }
      return inner.commit(change);
    },
  };
  return s;
}

describe('session writer', () => {
  it('writes once after a quiet period, not on every change', async () => {
    vi.useFakeTimers();
    try {
      const storage = failingStorage();
      const a = fakeSlice('a', 1);
      const writer = new SessionWriter(storage, [a.slice], { debounceMs: 100 });
      await writer.start();
      a.set(2);
      a.set(3);
      await vi.advanceTimersByTimeAsync(50);
      a.set(4);
      await vi.advanceTimersByTimeAsync(99);
      expect(storage.commits).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await writer.flush();
      expect(storage.commits).toHaveLength(1);
      expect(await storage.getRecords()).toEqual({ a: { v: 2, data: 4 } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a failed write reports the error, keeps what was stored before intact, and is retried by the next flush', async () => {
    const storage = failingStorage();
    const a = fakeSlice('a', 'first');
    const results: (Error | null)[] = [];
    const writer = new SessionWriter(storage, [a.slice], { debounceMs: 10_000, onResult: (e) => results.push(e) });
    await writer.start();
    a.set('first');
    await writer.flush();
    expect(results).toEqual([null]);
    storage.failing = true;
    a.set('second');
    await writer.flush();
    expect(results[1]?.name).toBe('QuotaExceededError');
    expect(describeStorageError(results[1]!)).toMatch(/Storage is full/);
    expect(await storage.getRecords()).toEqual({ a: { v: 2, data: 'first' } });
    storage.failing = false;
    await writer.flush();
    expect(results[2]).toBeNull();
    expect(await storage.getRecords()).toEqual({ a: { v: 2, data: 'second' } });
  });

  it('stores binaries by id once and drops those no slice refers to any more', async () => {
    const storage = failingStorage();
    let refs: Record<string, Blob> = { 'photo-1': new Blob(['one']) };
    const a = fakeSlice('a', 'x', () => refs);
    const b = fakeSlice('b', 'y');
    const writer = new SessionWriter(storage, [a.slice, b.slice], { debounceMs: 10_000 });
    await writer.start();
    a.set('x1');
    await writer.flush();
    expect(Object.keys(storage.commits[0]!.blobs!)).toEqual(['photo-1']);
    // A change elsewhere does not rewrite the photo.
    b.set('y1');
    await writer.flush();
    expect(storage.commits[1]!.blobs).toEqual({});
    expect(storage.commits[1]!.records).toEqual({ b: { v: 2, data: 'y1' } });
    refs = { 'photo-2': new Blob(['two']) };
    a.set('x2');
    await writer.flush();
    expect(storage.commits[2]!.deleteBlobs).toEqual(['photo-1']);
    expect(await storage.blobIds()).toEqual(['photo-2']);
    expect(await (await storage.getBlob('photo-2'))!.text()).toBe('two');
  });

  it('a failed commit with a new binary stores neither the record nor the binary', async () => {
    const storage = failingStorage();
    let refs: Record<string, Blob> = {};
    const a = fakeSlice('a', 0, () => refs);
    const writer = new SessionWriter(storage, [a.slice], { debounceMs: 10_000 });
    await writer.start();
    a.set(1);
    await writer.flush();
    storage.failing = true;
    refs = { big: new Blob(['x']) };
    a.set(2);
    await writer.flush();
    expect(await storage.blobIds()).toEqual([]);
    expect(await storage.getRecords()).toEqual({ a: { v: 2, data: 1 } });
    // Retried later, the binary goes with it (it was never marked stored).
    storage.failing = false;
    await writer.flush();
    expect(await storage.blobIds()).toEqual(['big']);
  });
});

describe('hydrate', () => {
  it('restores current records, migrates older ones, drops newer or malformed ones', async () => {
    const storage = createMemoryStorage();
    await storage.commit({ records: { a: { v: 2, data: 'now' }, b: { v: 1, data: 'old' }, c: { v: 3, data: 'future' }, d: 'junk' } });
    const a = fakeSlice('a', null);
    const b = fakeSlice('b', null);
    const c = fakeSlice('c', null);
    const d = fakeSlice('d', null);
    const e = fakeSlice('e', null);
    const report = await hydrate(storage, [a.slice, b.slice, c.slice, d.slice, e.slice]);
    expect(a.restored).toEqual(['now']);
    expect(b.restored).toEqual([{ migrated: 'old' }]);
    expect(c.restored).toEqual([]);
    expect(d.restored).toEqual([]);
    expect(e.restored).toEqual([]);
    expect(report.restored).toEqual(['a', 'b']);
    expect(report.dropped.map((x) => x.key)).toEqual(['c', 'd']);
  });

  it('one slice whose restore throws does not stop the others', async () => {
    const storage = createMemoryStorage();
    await storage.commit({ records: { a: { v: 2, data: 1 }, b: { v: 2, data: 2 } } });
    const a = fakeSlice('a', null);
    a.slice.restore = () => {
      throw new Error('bad drawing');
    };
    const b = fakeSlice('b', null);
    const report = await hydrate(storage, [a.slice, b.slice]);
    expect(report.dropped).toEqual([{ key: 'a', reason: 'bad drawing' }]);
    expect(b.restored).toEqual([2]);
  });
});

describe('memory storage history', () => {
  it('keeps the newest `bound` entries, newest first', async () => {
    const storage = createMemoryStorage();
    const blob = new Blob(['']);
    for (let i = 0; i < HISTORY_BOUND + 3; i++) {
      await storage.addHistory({ id: `d${i}`, createdAt: 1000 + i, width: 1, height: 1, layer: 'mixed3', isPartial: false, image: blob, thumbnail: blob }, HISTORY_BOUND);
    }
    const ids = (await storage.listHistory()).map((h) => h.id);
    expect(ids).toHaveLength(HISTORY_BOUND);
    expect(ids[0]).toBe(`d${HISTORY_BOUND + 2}`);
    expect(ids.at(-1)).toBe('d3');
  });

  it('thumbnails fit the side and are never enlarged', () => {
    expect(thumbnailSize(512, 256)).toEqual({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE / 2 });
    expect(thumbnailSize(64, 48)).toEqual({ width: 64, height: 48 });
    expect(thumbnailSize(10_000, 1)).toEqual({ width: THUMBNAIL_SIDE, height: 1 });
  });
});

describe('mergeSettings', () => {
  const defaults = { rule: 'rescale', target: null as number | null, steps: 10, flag: false };
  it('takes only known keys of the right type', () => {
    expect(mergeSettings(defaults, { rule: 'reveal-cancel', target: 3, steps: 'many', flag: true, extra: 1 })).toEqual({
      rule: 'reveal-cancel', target: 3, steps: 10, flag: true,
    });
    expect(mergeSettings(defaults, { target: 'x', steps: Number.NaN })).toEqual(defaults);
    expect(mergeSettings(defaults, null)).toEqual(defaults);
  });
});
