/**
 * Main-thread fault hooks over a WorkerHandle, for the end-to-end tests
 * (window.__dreamlift.faults): kill the worker from outside or from inside,
 * or destroy its GPU device. Each does nothing when no worker runs, and only
 * ever affects this tab; the app recovers from all of them on its own.
 */
import type { WorkerFault, WorkerFaultHooks } from './device-lost';
import type { CancellableApi, WorkerHandle } from './worker-handle';

interface FaultableApi extends CancellableApi {
  fault?(kind: WorkerFault): Promise<boolean>;
}

export function faultHooks<Api extends FaultableApi>(handle: WorkerHandle<Api>, label: string): WorkerFaultHooks {
  const inject = async (kind: WorkerFault): Promise<boolean> => {
    if (!handle.isStarted) return false;
    const api = handle.api as unknown as { fault(kind: WorkerFault): Promise<boolean> };
    return api.fault(kind);
  };
  return {
    async kill(how) {
      if (!handle.isStarted) return;
      if (how === 'terminate') handle.crash(`The ${label} worker stopped unexpectedly (it was terminated)`);
      else await inject('throw');
    },
    loseDevice: () => inject('lose-device'),
  };
}
