/**
 * The filter gallery's state: which layer it shows, the thumbnails it has
 * (RGBA, by channel), which one is being computed and how far. Thumbnails
 * are feature visualisations made in the Deep Dream worker (its client is
 * shared with the dream store), one at a time, in the order gallery-queue.ts
 * gives: visible first. A layer change or scrolling away cancels the running
 * one; a dream run pauses the queue (it needs the worker more). Finished
 * thumbnails go to the IndexedDB cache, which is read once per layer.
 */
import { create } from 'zustand';
import type { BackendInfo } from '../engine/backend-names';
import { THUMBNAIL_PARAMS, type VisualizeParams } from '../engine/visualize/params';
import type { ExcitedChannel } from '../engine/visualize/quality';
import type { RawImage } from '../workers/dream-protocol';
import { isAbortError } from '../workers/worker-handle';
import type { DreamClient } from '../workers/dream-client';
import type { DreamModelChoice } from '../workers/dream-protocol';
import { getDreamClient, getPhotoBitmap, layerChannels, modelChoice, modelLayers, useDreamStore, type DreamState } from './dream-store';
import { nextChannel, wantedChannels } from './gallery-queue';
import { useRuntimeStore } from './runtime-store';
import { readThumbnails, thumbnailPrefix, writeThumbnail } from './thumbnail-cache';

/** The built-in model the thumbnails are of (part of the cache key). */
export const GALLERY_MODEL_ID = 'inception-v3-mixed5';

/** The cache key's model part for the Dream panel's chosen model: the built-in trunk, or a user model by id and scaling. */
export function galleryModelKey(state: Pick<DreamState, 'settings' | 'userModel'>): string {
  const choice = modelChoice(state);
  return choice ? `user:${choice.id}:${choice.scaling}` : GALLERY_MODEL_ID;
}
/** Bumped when the visualisation algorithm changes, so old cached thumbnails are not shown. */
export const THUMBNAIL_ALGORITHM = 'fv1';
/** Thumbnails computed past the last visible one. */
export const GALLERY_AHEAD = 4;

export type ThumbnailSettings = typeof THUMBNAIL_PARAMS;

export interface GalleryState {
  layer: string | null;
  /** The model `layer` is of (galleryModelKey). */
  modelKey: string;
  channels: number;
  /** Finished thumbnails of `layer`, by channel. */
  thumbs: Record<number, RawImage>;
  /** Channels on screen (the component's IntersectionObserver reports them). */
  visible: number[];
  /** The channel being computed, and its progress 0..1. */
  computing: number | null;
  progress: number;
  /** Channels that failed for this layer (not retried until the layer is shown again). */
  failed: number[];
  error: string | null;
  /** Why thumbnails are not computed on this backend (a software GPU or the pure-JS CPU: minutes a picture); null otherwise. */
  notice: string | null;
  /** "What this photo excites": the top channels of `layer` for the current photo (their thumbnails come first). */
  excited: ExcitedChannel[] | null;
  isFindingExcited: boolean;
  showLayer: (layer: string) => void;
  setVisible: (channels: number[]) => void;
  findExcited: () => Promise<void>;
}

/** How many channels "what this photo excites" shows. */
export const EXCITED_COUNT = 8;

/**
 * `?thumb=SIZExSTEPS` (end-to-end tests use tiny ones) overrides the
 * thumbnail size and steps; anything else keeps the defaults.
 */
export function thumbnailSettingsFromUrl(search: string): ThumbnailSettings {
  const m = /^(\d{2,3})x(\d{1,3})$/.exec(new URLSearchParams(search).get('thumb') ?? '');
  if (!m) return THUMBNAIL_PARAMS;
  return { ...THUMBNAIL_PARAMS, size: Math.max(48, Number(m[1])), steps: Math.max(1, Number(m[2])) };
}

let settings: ThumbnailSettings = thumbnailSettingsFromUrl(typeof location === 'undefined' ? '' : location.search);
let clientOverride: DreamClient | null = null;
let controller: AbortController | null = null;
let pumping = false;
/** False while the cache of the shown layer is being read (computing then could duplicate cached work). */
let cacheRead = false;
/** Incremented on every layer change; work of an older generation is dropped. */
let generation = 0;
/** The model of the shown layer, as requests carry it (undefined: InceptionV3). */
let shownChoice: DreamModelChoice | undefined;

const initial = { layer: null, modelKey: GALLERY_MODEL_ID, channels: 0, thumbs: {}, visible: [], computing: null, progress: 0, failed: [], error: null, notice: null, excited: null, isFindingExcited: false };

/**
 * Thumbnails are not computed on a software-emulated GPU or the pure-JS CPU backend: a picture takes
 * minutes there (DESIGN.md's measurements: a gradient pass is ~25–50× slower than WASM), and its
 * work on the shared Dream worker would hold up the user's dream. Cached thumbnails still show.
 */
export function slowThumbnailNotice(info: BackendInfo): string | null {
  const isSlow = info.name === 'cpu' || ((info.name === 'webgpu' || info.name === 'webgl') && info.isSoftwareGpu);
  return isSlow
    ? `Filter pictures are not drawn on ${info.name === 'cpu' ? 'the cpu backend' : `${info.name} on a software GPU`}: each would take minutes here. Choose “wasm” or “auto” in the header to draw them.`
    : null;
}

const prefixFor = (modelKey: string, layer: string): string => thumbnailPrefix(modelKey, layer, { ...settings, algorithm: THUMBNAIL_ALGORITHM });
const client = (): DreamClient => clientOverride ?? getDreamClient();
const isDreaming = (): boolean => {
  const s = useDreamStore.getState().status;
  return s === 'running' || s === 'loading-model';
};

export const useGalleryStore = create<GalleryState>()((set, get) => {
  const settled = (c: number): boolean => get().thumbs[c] !== undefined || get().failed.includes(c);
  /** The excited channels first, then what the queue policy wants. */
  const next = (): number | null => {
    const { excited, visible, channels } = get();
    return excited?.map((e) => e.channel).find((c) => !settled(c)) ?? nextChannel(visible, channels, GALLERY_AHEAD, settled);
  };

  /** Cancels the running thumbnail if it is no longer wanted. */
  const cancelStale = (): void => {
    const { computing, visible, channels, excited } = get();
    if (computing === null || !controller) return;
    const wanted = [...(excited ?? []).map((e) => e.channel), ...wantedChannels(visible, channels, GALLERY_AHEAD)];
    if (isDreaming() || !wanted.includes(computing)) controller.abort();
  };

  /** Computes wanted thumbnails one at a time until none is left (or the layer changes). */
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const { layer, modelKey } = get();
        const choice = shownChoice;
        if (layer === null || isDreaming() || !cacheRead) return;
        const channel = next();
        if (channel === null) return;
        const c = client();
        // A client without visualize (a stand-in) has no gallery: leave the worker alone.
        if (!c.visualize) return;
        const mine = generation;
        controller = new AbortController();
        set({ computing: channel, progress: 0 });
        try {
          const notice = slowThumbnailNotice(await c.init(useRuntimeStore.getState().preference));
          if (notice) {
            set({ notice });
            return;
          }
          if (get().notice) set({ notice: null });
          await c.loadModel(undefined, choice);
          const params: VisualizeParams = { ...settings, layer, channel, frameEvery: 0 };
          const result = await c.visualize(params, {
            model: choice,
            signal: controller.signal,
            onProgress: (step, steps) => {
              if (mine === generation && get().computing === channel) set({ progress: step / steps });
            },
          });
          if (mine !== generation) continue;
          const image: RawImage = { width: result.width, height: result.height, pixels: result.pixels };
          set((s) => ({ thumbs: { ...s.thumbs, [channel]: image } }));
          void writeThumbnail(prefixFor(modelKey, layer), channel, image);
        } catch (error) {
          if (isAbortError(error)) continue;
          if (mine === generation) {
            set((s) => ({ failed: [...s.failed, channel], error: `Could not draw filter ${channel}: ${error instanceof Error ? error.message : String(error)}` }));
          }
        } finally {
          controller = null;
          if (mine === generation) set({ computing: null, progress: 0 });
        }
      }
    } finally {
      pumping = false;
    }
  };

  // A dream run takes the worker: stop the thumbnail now, resume when it ends.
  useDreamStore.subscribe((s, prev) => {
    if (s.status === prev.status) return;
    if (isDreaming()) controller?.abort();
    else void pump();
  });

  return {
    ...initial,

    showLayer: (layer) => {
      const dream = useDreamStore.getState();
      const modelKey = galleryModelKey(dream);
      const channels = layerChannels(layer, modelLayers(dream) ?? []) ?? 0;
      if (get().layer === layer && get().modelKey === modelKey && get().channels === channels) return;
      generation++;
      controller?.abort();
      shownChoice = modelChoice(dream);
      set({ layer, modelKey, channels, thumbs: {}, failed: [], error: null, computing: null, progress: 0, excited: null, isFindingExcited: false });
      const mine = generation;
      cacheRead = false;
      void readThumbnails(prefixFor(modelKey, layer)).then((cached) => {
        if (mine !== generation) return;
        cacheRead = true;
        if (cached.size > 0) set((s) => ({ thumbs: { ...Object.fromEntries(cached), ...s.thumbs } }));
        void pump();
      });
    },

    setVisible: (channels) => {
      set({ visible: channels });
      cancelStale();
      void pump();
    },

    findExcited: async () => {
      const { layer } = get();
      const photo = getPhotoBitmap();
      const c = client();
      if (layer === null || !c.excites) return;
      if (!photo) {
        set({ error: 'Choose a photo first: the ranking is of how strongly it excites each filter.' });
        return;
      }
      const mine = generation;
      set({ isFindingExcited: true, error: null });
      try {
        await c.init(useRuntimeStore.getState().preference);
        await c.loadModel(undefined, shownChoice);
        const excited = await c.excites(photo, layer, EXCITED_COUNT, shownChoice);
        if (mine !== generation) return;
        set({ excited });
        void pump();
      } catch (error) {
        if (mine === generation) set({ error: `Could not rank the filters: ${error instanceof Error ? error.message : String(error)}` });
      } finally {
        if (mine === generation) set({ isFindingExcited: false });
      }
    },
  };
});

/** Tests: a stub client, cheaper settings, and a fresh store. */
export function resetGalleryStore(options: { client?: DreamClient | null; settings?: ThumbnailSettings } = {}): void {
  generation++;
  controller?.abort();
  controller = null;
  pumping = false;
  cacheRead = false;
  shownChoice = undefined;
  clientOverride = options.client ?? null;
  settings = options.settings ?? THUMBNAIL_PARAMS;
  useGalleryStore.setState({ ...initial });
}
