/**
 * Faults a compute worker can suffer or be made to suffer, in terms both sides
 * share without loading tfjs (the main thread never does): a lost GPU device
 * and the test-only fault hooks.
 *
 * A WebGPU device can be lost at any time (driver reset, GPU process crash, the
 * tab's device destroyed). tfjs 4.22's WebGPU backend does not recover: its
 * next readback fails or returns nothing useful. So the worker checks
 * `device.lost` around each request and rejects with a DeviceLostError, and the
 * client then starts a fresh worker that skips WebGPU and falls back along
 * WebGPU → WebGL → WASM → CPU (software WebGL is skipped as in `auto`), the
 * reason shown by the backend badge.
 */

/** The worker's GPU device was lost; the request did not complete. The client restarts on the next backend. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

export function isDeviceLostError(e: unknown): boolean {
  return e instanceof Error && e.name === 'DeviceLostError';
}

/** How a worker's backend must start after a loss. */
export interface BackendStartOptions {
  /** Why the WebGPU device was lost in an earlier worker of this kind; WebGPU is then skipped. */
  gpuLost?: string | null;
}

/**
 * Test-only faults (window.__dreamlift.faults): 'throw' makes the worker throw an
 * uncaught exception (it then dies as it would of any crash); 'lose-device'
 * destroys its WebGPU device (nothing happens on other backends). Both harm only
 * the tab that asks.
 */
export type WorkerFault = 'throw' | 'lose-device';

/** What the debug handle can do to a worker through its client. */
export interface WorkerFaultHooks {
  /** 'terminate': the worker is killed from outside (as the browser does on out-of-memory); 'throw': it throws uncaught. */
  kill(how: 'terminate' | 'throw'): Promise<void>;
  /** Destroys the worker's WebGPU device; resolves whether it had one. */
  loseDevice(): Promise<boolean>;
}
