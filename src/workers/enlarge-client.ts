/**
 * Main-thread side of the enlarge worker: started on first use and kept (it is
 * small and holds nothing between calls). The caller's bitmaps are copied
 * before they are transferred, so the caller keeps its own.
 */
import * as Comlink from 'comlink';
import type { EnlargeApi } from './enlarge-api';
import { WorkerHandle } from './worker-handle';

export interface EnlargeClient {
  /** The dream at the original's size as a PNG (see EnlargeApi.enlarge); `original` is transferred (the caller must not use it again). */
  enlarge(original: ImageBitmap, base: ImageBitmap, result: ImageBitmap, background: string): Promise<Blob>;
}

export function createEnlargeClient(
  createWorker: () => Worker = () => new Worker(new URL('./enlarge.worker.ts', import.meta.url), { type: 'module', name: 'enlarge' }),
): EnlargeClient {
  const handle = new WorkerHandle<EnlargeApi>(createWorker, 'enlarge');
  return {
    async enlarge(original, base, result, background) {
      const [baseCopy, resultCopy] = await Promise.all([createImageBitmap(base), createImageBitmap(result)]);
      return handle.run((api) =>
        api.enlarge(Comlink.transfer(original, [original]), Comlink.transfer(baseCopy, [baseCopy]), Comlink.transfer(resultCopy, [resultCopy]), background),
      );
    },
  };
}
