/**
 * How a lane's exposed object is made from feature modules (lane-api.ts):
 * their methods side by side, the thread-wide ones taken once, and one
 * cancel that reaches every module.
 */
import type { CancellableApi } from './worker-handle';

/**
 * Methods that several feature modules of a lane may each have. The lane
 * exposes the first module's `init`, `memory` and `fault` (they act on the
 * whole thread: its backend, its tf.memory(), its device), and a `cancel` that
 * reaches every module (job ids come from one client, so they never clash).
 */
const SHARED_METHODS = new Set(['init', 'memory', 'fault', 'cancel']);

/** Thrown when two feature modules of one lane would expose the same method. */
export class LaneCompositionError extends Error {
  override name = 'LaneCompositionError';
}

/** Composes two feature modules into one exposed object (nest calls for more). */
export function composeApis<A extends CancellableApi, B extends CancellableApi>(first: A, second: B): A & B {
  const composed: Record<string, unknown> = { ...(second as object) };
  for (const [key, value] of Object.entries(first)) {
    if (key in second && !SHARED_METHODS.has(key)) throw new LaneCompositionError(`Two feature modules of one lane both expose "${key}"`);
    composed[key] = value;
  }
  composed.cancel = (jobId: number) => {
    first.cancel(jobId);
    second.cancel(jobId);
  };
  return composed as A & B;
}

