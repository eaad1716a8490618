/**
 * Worker side of device-loss detection and fault injection (device-lost.ts
 * holds the shared part). The runtime calls `watchDevice()` once a backend has
 * started; the worker APIs wrap each request in `withDevice`, which turns any
 * outcome of a request that overlapped a device loss into a DeviceLostError:
 * a failure (tfjs's readback rejects) and a success alike (its numbers may be garbage).
 */
import * as tf from '@tensorflow/tfjs';
import { DeviceLostError, type WorkerFault } from './device-lost';

/** The GPUDevice of tfjs's active backend when that is WebGPU, else null. */
function activeWebGpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  return backend.device ?? null;
}

let lostReason: string | null = null;
let watched: GPUDevice | null = null;

/** Starts watching the active WebGPU device (if any) for loss; safe to call repeatedly. */
export function watchDevice(): void {
  const device = activeWebGpuDevice();
  if (!device || device === watched) return;
  watched = device;
  void device.lost.then((info) => {
    lostReason = info.message || info.reason || 'unknown reason';
  });
}

/** Why this worker's GPU device was lost, or null while it is fine (or there is none). */
export function deviceLostReason(): string | null {
  return lostReason;
}

function throwIfLost(isLost: (() => string | null) | undefined): void {
  const reason = isLost?.() ?? null;
  if (reason !== null) throw new DeviceLostError(`The GPU device was lost (${reason})`);
}

/**
 * Runs one request. Rejects with DeviceLostError when the device was lost
 * before it, during it (whatever the request returned or threw), or is found
 * lost right after a failure (the `lost` promise settles a task after the
 * failing call). `isLost` is the environment's probe; without one this is a plain call.
 */
export async function withDevice<T>(isLost: (() => string | null) | undefined, work: () => Promise<T>): Promise<T> {
  throwIfLost(isLost);
  let value: T;
  try {
    value = await work();
  } catch (e) {
    if (isLost) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      throwIfLost(isLost);
    }
    throw e;
  }
  throwIfLost(isLost);
  return value;
}

/** Carries out a test-only fault (see WorkerFault); returns whether it did anything. */
export function injectFault(kind: WorkerFault): boolean {
  if (kind === 'throw') {
    // Thrown from a task of its own so it is uncaught: the worker's error event fires on the main thread.
    setTimeout(() => {
      throw new Error('Injected fault: an uncaught exception in the worker');
    }, 0);
    return true;
  }
  const device = activeWebGpuDevice();
  if (!device) return false;
  device.destroy();
  return true;
}
