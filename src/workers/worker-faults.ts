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
let announceLoss: ((reason: string) => void) | null = null;
/** Settles when the watched device is lost (with the reason); never, while there is none. */
const lost = new Promise<string>((resolve) => {
  announceLoss = resolve;
});

/** Starts watching the active WebGPU device (if any) for loss; safe to call repeatedly. */
export function watchDevice(): void {
  const device = activeWebGpuDevice();
  if (!device || device === watched) return;
  watched = device;
  void device.lost.then((info) => {
    lostReason = info.message || info.reason || 'unknown reason';
    announceLoss?.(lostReason);
  });
}

/** Why this worker's GPU device was lost, or null while it is fine (or there is none). */
export function deviceLostReason(): string | null {
  return lostReason;
}

/** Resolves with the reason when this worker's GPU device is lost; never while it is fine. */
export function whenDeviceLost(): Promise<string> {
  return lost;
}

/** How a worker API learns about device loss (absent in Node: no device to lose). */
export interface DeviceWatch {
  /** The reason the device was lost, or null while it is fine. */
  lostReason(): string | null;
  /** Settles with the reason when the device is lost. */
  whenLost(): Promise<string>;
  /** Whether there is a device to lose (the backend is WebGPU). */
  hasDevice(): boolean;
}

export const browserDeviceWatch: DeviceWatch = {
  lostReason: deviceLostReason,
  whenLost: whenDeviceLost,
  hasDevice: () => watched !== null,
};

/**
 * How long a failure on a GPU waits for `device.lost` to settle before it is
 * taken at its word (ms). The failing readback (often an AbortError, which would
 * otherwise read as a user's cancel) comes first; the loss follows from the GPU process.
 */
const LOSS_SETTLE_MS = 1000;

const lostError = (reason: string) => new DeviceLostError(`The GPU device was lost (${reason})`);

function throwIfLost(watch: DeviceWatch | undefined): void {
  const reason = watch?.lostReason() ?? null;
  if (reason !== null) throw lostError(reason);
}

/**
 * Runs one request. Rejects with DeviceLostError when the device was lost
 * before it, is lost while it runs (at once: a readback on a lost device may
 * never settle, and the client ends this worker anyway), or is found lost right
 * after it (a failure or a success alike: its numbers may be garbage; the
 * `lost` promise may settle well after the failing call, so a failure on a GPU
 * waits up to LOSS_SETTLE_MS for it). Without a watch this is a plain call.
 */
export async function withDevice<T>(watch: DeviceWatch | undefined, work: () => Promise<T>): Promise<T> {
  throwIfLost(watch);
  if (!watch) return work();
  let value: T;
  try {
    const lostMidway = watch.whenLost().then((reason) => Promise.reject(lostError(reason)));
    value = await Promise.race([work(), lostMidway]);
  } catch (e) {
    if (watch.hasDevice()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([watch.whenLost(), new Promise((resolve) => (timer = setTimeout(resolve, LOSS_SETTLE_MS)))]);
      clearTimeout(timer);
    }
    throwIfLost(watch);
    throw e;
  }
  throwIfLost(watch);
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
