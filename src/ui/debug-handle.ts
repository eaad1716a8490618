/**
 * A read-mostly handle on the app's stores at `window.__dreamlift`, for the
 * end-to-end tests (exact numbers instead of pixels) and for curious users in
 * the console. Plain data only; it runs nothing heavy on the main thread.
 */
import { useDreamStore } from '../state/dream-store';
import { useExplainStore } from '../state/explain-store';
import { useRuntimeStore } from '../state/runtime-store';

export interface DebugHandle {
  explain: typeof useExplainStore.getState;
  dream: typeof useDreamStore.getState;
  runtime: typeof useRuntimeStore.getState;
  /** Sets the model input directly: 784 values in [0, 1], light on dark. */
  setDigit: (pixels01: number[]) => void;
}

declare global {
  interface Window {
    __dreamlift?: DebugHandle;
  }
}

export function installDebugHandle(): void {
  window.__dreamlift = {
    explain: useExplainStore.getState,
    dream: useDreamStore.getState,
    runtime: useRuntimeStore.getState,
    setDigit: (pixels01) => useExplainStore.getState().setPixels(Float32Array.from(pixels01)),
  };
}
