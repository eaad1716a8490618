import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../session/storage';
import { getGuideBitmap, resetDreamStore, useDreamStore } from './dream-store';
import { setGuideCodec, type GuideCodec } from './guide-persistence';
import { flushSession, persistedKeys, startPersistence, stopPersistence } from './persistence';

/** jsdom has no OffscreenCanvas: the "PNG" is the bitmap's size as text, decoded back into a stand-in bitmap. */
const fakeCodec: GuideCodec = {
  encode: vi.fn(async (bitmap: ImageBitmap) => new Blob([`${bitmap.width}x${bitmap.height}`], { type: 'image/png' })),
  decode: vi.fn(async (blob: Blob) => {
    const [width, height] = (await blob.text()).split('x').map(Number) as [number, number];
    return { width, height, close: vi.fn() } as unknown as ImageBitmap;
  }),
};
const bitmap = (width: number, height: number) => ({ width, height, close: vi.fn() }) as unknown as ImageBitmap;
const decoded = (width: number, height: number) => ({ bitmap: bitmap(width, height), width, height, originalWidth: width * 4, originalHeight: height * 4, isScaled: true });

afterEach(() => {
  stopPersistence();
  resetDreamStore();
  setGuideCodec(null);
});

describe('the guide image in the session', () => {
  it('comes back after a restart with its name and size; a cleared guide stays cleared', async () => {
    expect(persistedKeys()).toContain('guide');
    setGuideCodec(fakeCodec);
    const storage = createMemoryStorage();
    await startPersistence({ openStorage: async () => storage, debounceMs: 0 });
    useDreamStore.getState().setGuide(decoded(224, 150), 'rocket.jpg');
    await vi.waitFor(() => expect(fakeCodec.encode).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 0));
    await flushSession();
    stopPersistence();
    resetDreamStore();
    expect(useDreamStore.getState().guide).toBeNull();

    await startPersistence({ openStorage: async () => storage, debounceMs: 0 });
    expect(useDreamStore.getState().guide).toEqual({ name: 'rocket.jpg', width: 224, height: 150 });
    expect([getGuideBitmap()?.width, getGuideBitmap()?.height]).toEqual([224, 150]);

    useDreamStore.getState().clearGuide();
    await flushSession();
    stopPersistence();
    resetDreamStore();
    await startPersistence({ openStorage: async () => storage, debounceMs: 0 });
    expect(useDreamStore.getState().guide).toBeNull();
  });

  it('a stored guide that cannot be decoded is dropped; the rest of the session comes back', async () => {
    setGuideCodec(fakeCodec);
    const storage = createMemoryStorage();
    await startPersistence({ openStorage: async () => storage, debounceMs: 0 });
    useDreamStore.getState().setSetting('steps', 9);
    useDreamStore.getState().setGuide(decoded(64, 64), 'g.png');
    await new Promise((r) => setTimeout(r, 0));
    await flushSession();
    stopPersistence();
    resetDreamStore();
    setGuideCodec({ ...fakeCodec, decode: async () => Promise.reject(new Error('broken PNG')) });
    await startPersistence({ openStorage: async () => storage, debounceMs: 0 });
    expect(useDreamStore.getState().guide).toBeNull();
    expect(useDreamStore.getState().settings.steps).toBe(9);
  });
});
