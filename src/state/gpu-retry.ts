/** "Try WebGPU again" after a lost device: both compute workers start afresh and try WebGPU first again. */
import { retryDreamWebGpu } from './dream-store';
import { retryExplainWebGpu } from './explain-store';
import type { BackendInfo } from '../engine/backend-names';
import { useRuntimeStore } from './runtime-store';

/** Whether a worker's backend report says it fell back because its WebGPU device was lost. */
export function isAfterGpuLoss(info: BackendInfo | undefined): boolean {
  return /WebGPU device was lost/i.test(info?.fallbackReason ?? '');
}

/** Restarts only the workers that lost their device (a healthy worker keeps its model). */
export async function tryWebGpuAgain(): Promise<void> {
  const { backends } = useRuntimeStore.getState();
  await Promise.all([
    isAfterGpuLoss(backends.explain) ? retryExplainWebGpu() : null,
    isAfterGpuLoss(backends.dream) ? retryDreamWebGpu() : null,
  ]);
}
