/**
 * Test helpers for the Explain panel's component tests: a stub worker client
 * that records requests and answers at once, and a result builder. Not used by the app.
 */
import type { BackendInfo } from '../../engine/backend';
import type { ExplainClient, ExplainRunOptions } from '../../workers/explain-client';
import type { ExplainParams, ExplainResult } from '../../workers/explain-protocol';
import { WorkerCrashedError } from '../../workers/worker-handle';

export const CPU_INFO: BackendInfo = { name: 'cpu', requested: 'auto', fallbackReason: null, adapter: null, isSoftwareGpu: false };

/** A plausible result: `predicted` at 91 %, the rest 1 % each; Σ C = Δt = `sum`. */
export function makeResult(predicted: number, params: Partial<ExplainParams> = {}, sum = 3.21412): ExplainResult {
  const probabilities = Array.from({ length: 10 }, (_, i) => (i === predicted ? 0.91 : 0.01));
  const attributions = new Float32Array(784);
  attributions[300] = sum;
  return {
    attributions,
    target: params.target ?? predicted,
    contrast: params.contrast ?? null,
    predicted,
    delta: sum,
    sum,
    logits: probabilities.map((p) => Math.log(p)),
    probabilities,
    referenceLogits: new Array(10).fill(0),
    referenceProbabilities: new Array(10).fill(0.1),
    classMaps: Array.from({ length: 10 }, (_, i) => new Float32Array(784).fill(i / 10)),
    classDeltas: Array.from({ length: 10 }, (_, i) => i / 2),
    reference01: new Float32Array(784),
  };
}

export interface FakeExplainClient extends ExplainClient {
  requests: { pixels: Float32Array; params: ExplainParams; options: ExplainRunOptions }[];
  crash(message: string): void;
}

/** Answers every request at once with `makeResult(predicted, params)`. */
export function fakeExplainClient(predicted = 7): FakeExplainClient {
  const crashListeners = new Set<(e: WorkerCrashedError) => void>();
  const requests: FakeExplainClient['requests'] = [];
  return {
    requests,
    init: async (preference) => ({ ...CPU_INFO, requested: preference }),
    explain: async (pixels, params, options = {}) => {
      requests.push({ pixels, params, options });
      return makeResult(predicted, params);
    },
    onCrash: (listener) => {
      crashListeners.add(listener);
      return () => crashListeners.delete(listener);
    },
    terminate: () => undefined,
    crash: (message) => crashListeners.forEach((l) => l(new WorkerCrashedError(message))),
  };
}
