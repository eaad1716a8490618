import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage, type SessionCommit, type SessionStorage } from '../session/storage';
import { claimSessionLock } from '../session/tab-lock';
import { fakeLockManager } from '../session/testing-locks';
import { DEFAULT_COMPARE_SETTINGS, useCompareStore } from './compare-store';
import { resetDrawing, useDrawingStore } from './drawing-store';
import { resetDreamStore, useDreamStore } from './dream-store';
import { DEFAULT_SETTINGS, resetExplainStore, useExplainStore } from './explain-store';
import { flushSession, persistedKeys, startPersistence, stopPersistence, TRANSIENT } from './persistence';
import { useSessionStore } from './session-store';
import { useTabStore } from './tab-store';

function resetAll() {
  resetExplainStore();
  resetDreamStore();
  resetDrawing();
  useCompareStore.setState({ settings: DEFAULT_COMPARE_SETTINGS });
  useTabStore.setState({ tab: 'explain' });
  useSessionStore.setState({ status: 'starting', notice: null, dropped: [] });
}

afterEach(() => {
  stopPersistence();
  resetAll();
});

const stroke = { kind: 'stroke' as const, points: Float32Array.from([10, 10, 20, 100, 120, 20]) };

async function makeASession(storage: SessionStorage) {
  await startPersistence({ openStorage: async () => storage });
  useTabStore.getState().setTab('dream');
  useExplainStore.getState().updateSettings({ rule: 'revealcancel', target: 3, view: 'side' });
  useDrawingStore.getState().push(stroke);
  useDrawingStore.getState().push({ kind: 'clear' });
  useDreamStore.getState().setSetting('steps', 7);
  useDreamStore.getState().setSetting('layer', 'mixed5');
  useCompareStore.getState().updateSettings({ scale: 'per-map', erased: 12 });
  await flushSession();
}

describe('persistence', () => {
  it('declares every slice once, disjoint from the transient list', () => {
    const keys = persistedKeys();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(['tab', 'explain', 'drawing', 'compare', 'dream']));
    for (const t of Object.keys(TRANSIENT)) expect(keys).not.toContain(t);
  });

  it('what was set comes back after a restart (tab, settings of every panel, the drawing with its undo steps)', async () => {
    const storage = createMemoryStorage();
    await makeASession(storage);
    expect(useSessionStore.getState().status).toBe('saved');
    stopPersistence();
    resetAll();
    expect(useDrawingStore.getState().doc.ops).toHaveLength(0);

    await startPersistence({ openStorage: async () => storage });
    expect(useTabStore.getState().tab).toBe('dream');
    expect(useExplainStore.getState().settings).toEqual({ ...DEFAULT_SETTINGS, rule: 'revealcancel', target: 3, view: 'side' });
    const ops = useDrawingStore.getState().doc.ops;
    expect(ops.map((o) => o.kind)).toEqual(['stroke', 'clear']);
    expect(Array.from((ops[0] as typeof stroke).points)).toEqual([10, 10, 20, 100, 120, 20]);
    expect(useDreamStore.getState().settings.steps).toBe(7);
    expect(useDreamStore.getState().settings.layer).toBe('mixed5');
    expect(useCompareStore.getState().settings).toEqual({ ...DEFAULT_COMPARE_SETTINGS, scale: 'per-map', erased: 12 });
  });

  it('a second tab reads the session but does not write it until the first tab closes; then it keeps what it changed and takes the rest from storage', async () => {
    const storage = createMemoryStorage();
    await makeASession(storage);
    stopPersistence();
    resetAll();
    const locks = fakeLockManager();
    const otherTab = await claimSessionLock(locks);
    await startPersistence({ openStorage: async () => storage, locks, debounceMs: 1 });
    expect(useSessionStore.getState().status).toBe('elsewhere');
    expect(useSessionStore.getState().notice).toMatch(/open in another tab/);
    expect(useDreamStore.getState().settings.steps).toBe(7);
    // This tab changes the Explain rule; the other tab (still writing) changes the stored Dream steps.
    useExplainStore.getState().updateSettings({ rule: 'rescale' });
    await flushSession();
    await new Promise((r) => setTimeout(r, 10));
    expect(((await storage.getRecords()).explain as { data: { settings: { rule: string } } }).data.settings.rule).toBe('revealcancel');
    const dream = (await storage.getRecords()).dream as { v: number; data: { settings: { steps: number } } };
    await storage.commit({ records: { dream: { ...dream, data: { ...dream.data, settings: { ...dream.data.settings, steps: 5 } } } } });
    otherTab.release();
    await vi.waitFor(() => expect(useSessionStore.getState().status).toBe('saved'));
    await flushSession();
    expect(((await storage.getRecords()).explain as { data: { settings: { rule: string } } }).data.settings.rule).toBe('rescale');
    expect(useDreamStore.getState().settings.steps).toBe(5);
    expect(useSessionStore.getState().notice).toBeNull();
  });

  it('invalid stored dream settings fall back to their defaults, one by one', async () => {
    const storage = createMemoryStorage();
    await storage.commit({ records: { dream: { v: 1, data: { settings: { steps: 9999, octaves: 3, layer: 'nope' }, preset: 'custom', photo: null, result: null } } } });
    await startPersistence({ openStorage: async () => storage });
    const { settings } = useDreamStore.getState();
    expect(settings.octaves).toBe(3);
    expect(settings.steps).not.toBe(9999);
    expect(settings.layer).not.toBe('nope');
  });

  it('storage that cannot be opened: a notice, the app works in memory', async () => {
    await startPersistence({
      openStorage: async () => {
        throw new Error('IndexedDB is not available in this browser');
      },
    });
    expect(useSessionStore.getState().status).toBe('memory');
    expect(useSessionStore.getState().notice).toMatch(/cannot be saved on this device/);
    useExplainStore.getState().updateSettings({ rule: 'gradient' as never });
    await flushSession();
    expect(useSessionStore.getState().status).toBe('memory');
  });

  it('a write that fails (storage full) shows a notice and leaves the stored session as it was', async () => {
    const inner = createMemoryStorage();
    let failing = false;
    const storage: SessionStorage = {
      ...inner,
      commit: async (change: SessionCommit) => {
        if (failing) {
          const e = new Error('quota exceeded');
          e.name = 'QuotaExceededError';
          throw e;
        }
        return inner.commit(change);
      },
    };
    await makeASession(storage);
    failing = true;
    useExplainStore.getState().updateSettings({ rule: 'rescale', target: 5 });
    useDrawingStore.getState().pop();
    await flushSession();
    expect(useSessionStore.getState().status).toBe('failed');
    expect(useSessionStore.getState().notice).toMatch(/Storage is full/);
    // The app keeps the new state in memory.
    expect(useExplainStore.getState().settings.target).toBe(5);

    stopPersistence();
    resetAll();
    await startPersistence({ openStorage: async () => inner });
    expect(useExplainStore.getState().settings.target).toBe(3);
    expect(useDrawingStore.getState().doc.ops.map((o) => o.kind)).toEqual(['stroke', 'clear']);
  });
});
