import { describe, expect, it } from 'vitest';
import { nextChannel, wantedChannels } from './gallery-queue';

describe('gallery queue', () => {
  it('wants the visible channels in order, then a few past the last one, within the layer', () => {
    expect(wantedChannels([9, 8, 4, 8], 12, 2)).toEqual([4, 8, 9, 10, 11]);
    expect(wantedChannels([10, 11], 12, 3)).toEqual([10, 11]);
    expect(wantedChannels([], 12, 3)).toEqual([]);
    expect(wantedChannels([-1, 3.5, 20], 12, 3)).toEqual([]);
  });

  it('picks the first wanted channel not yet settled', () => {
    const done = new Set([4, 8]);
    expect(nextChannel([8, 4, 9], 12, 2, (c) => done.has(c))).toBe(9);
    done.add(9);
    expect(nextChannel([8, 4, 9], 12, 2, (c) => done.has(c))).toBe(10);
    done.add(10).add(11);
    expect(nextChannel([8, 4, 9], 12, 2, (c) => done.has(c))).toBeNull();
  });
});

describe('thumbnail settings from the URL', () => {
  it('reads ?thumb=SIZExSTEPS, keeping sizes the trunk can see, and ignores junk', async () => {
    const { thumbnailSettingsFromUrl } = await import('./gallery-store');
    const { THUMBNAIL_PARAMS } = await import('../engine/visualize/params');
    expect(thumbnailSettingsFromUrl('?backend=wasm&thumb=48x4')).toMatchObject({ size: 48, steps: 4, learningRate: THUMBNAIL_PARAMS.learningRate });
    expect(thumbnailSettingsFromUrl('?thumb=16x4').size).toBe(48);
    expect(thumbnailSettingsFromUrl('?thumb=big')).toEqual(THUMBNAIL_PARAMS);
    expect(thumbnailSettingsFromUrl('')).toEqual(THUMBNAIL_PARAMS);
  });
});
