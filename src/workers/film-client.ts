/**
 * Main-thread side of the film methods: signal-first calls over the Deep
 * Dream worker's job runner (dream-client's runJob, so films share its
 * backend and trunk). Unlike a dream, an aborted film still resolves: the
 * worker finalises the frames made so far, so the signal only asks it to
 * stop (cancel(jobId)) and the promise brings the partial film.
 */
import * as Comlink from 'comlink';
import type { DreamApi, RawImage } from './dream-protocol';
import { isRawImage } from './dream-protocol';
import type { ClipFilmSettings, FilmApi, FilmCapabilities, FilmFrameMessage, FilmResult, ZoomFilmSettings } from './film-protocol';
import { abortError } from './worker-handle';

/** A film frame on the main thread: always an ImageBitmap, which the receiver must close(). */
export interface FilmFrame extends Omit<FilmFrameMessage, 'image'> {
  bitmap: ImageBitmap;
}

export interface FilmRunOptions {
  /** Aborting ends the film after the current step; the promise then resolves with the frames made (cancelled: true). */
  signal?: AbortSignal;
  onFrame?: (frame: FilmFrame) => void | Promise<void>;
}

export type JobRunner = <T>(call: (api: Comlink.Remote<DreamApi>, jobId: number) => Promise<T>) => Promise<T>;

export interface FilmClient {
  capabilities(width: number, height: number): Promise<FilmCapabilities>;
  film(photo: ImageBitmap | RawImage, settings: ZoomFilmSettings, options?: FilmRunOptions): Promise<FilmResult>;
  clip(file: Blob, settings: ClipFilmSettings, options?: FilmRunOptions): Promise<FilmResult>;
}

function toBitmap(image: ImageBitmap | RawImage): Promise<ImageBitmap> {
  return isRawImage(image) ? createImageBitmap(new ImageData(image.pixels, image.width, image.height)) : Promise.resolve(image);
}

export function createFilmClient(runJob: JobRunner): FilmClient {
  const start = <T>(signal: AbortSignal | undefined, onFrame: FilmRunOptions['onFrame'], call: (api: Comlink.Remote<FilmApi>, jobId: number, receive: (m: FilmFrameMessage) => Promise<void>) => Promise<T>): Promise<T> => {
    if (signal?.aborted) return Promise.reject(abortError());
    return runJob((dreamApi, jobId) => {
      const api = dreamApi as unknown as Comlink.Remote<FilmApi>;
      const onAbort = () => void Promise.resolve(api.cancel(jobId)).catch(() => undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      const receive = async (message: FilmFrameMessage) => {
        const { image, ...rest } = message;
        const bitmap = await toBitmap(image);
        if (onFrame) await onFrame({ ...rest, bitmap });
        else bitmap.close();
      };
      return call(api, jobId, receive).finally(() => signal?.removeEventListener('abort', onAbort));
    });
  };

  return {
    capabilities: (width, height) => runJob((api) => (api as unknown as Comlink.Remote<FilmApi>).filmCapabilities(width, height)),

    async film(photo, settings, options = {}) {
      // The worker takes what it is sent: send a copy so the caller keeps its photo.
      const copy: ImageBitmap | RawImage = isRawImage(photo)
        ? { width: photo.width, height: photo.height, pixels: new Uint8ClampedArray(photo.pixels) }
        : await createImageBitmap(photo);
      const transfer = isRawImage(copy) ? [copy.pixels.buffer] : [copy];
      return start(options.signal, options.onFrame, (api, jobId, receive) => api.film(jobId, Comlink.transfer(copy, transfer), settings, Comlink.proxy(receive)));
    },

    clip(file, settings, options = {}) {
      return start(options.signal, options.onFrame, (api, jobId, receive) => api.clip(jobId, file, settings, Comlink.proxy(receive)));
    },
  };
}
