/**
 * The Compare feature module of the interactive lane (lane-api.ts composes it
 * with Explain): every attribution method on one digit, and the erasure curves
 * of the Erase-to-convert view, from src/engine/attribution/compare.ts.
 * It runs on the lane's classifiers (classifier-models.ts): the same backend
 * and the same copy of the MNIST model as Explain. Cancellation is checked
 * between methods; a request that overlaps a lost GPU device fails as
 * DeviceLostError, as Explain's do.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { compareMethods, erasureCurves } from '../engine/attribution/compare';
import { MNIST_PIXELS, MNIST_SIDE } from '../engine/image/mnist-preprocess';
import { referencePixels } from '../engine/image/reference';
import { createClassifierModels, type ClassifierModels } from './classifier-models';
import { BadRequestError, type ExplainApiEnvironment } from './explain-api';
import type { CompareApi, CompareMap, CompareResult, EraseResult } from './compare-protocol';
import { abortError } from './worker-handle';
import { withDevice } from './worker-faults';

const SHAPE = [MNIST_SIDE, MNIST_SIDE, 1];

function checkPixels(pixels01: Float32Array): void {
  if (!(pixels01 instanceof Float32Array) || pixels01.length !== MNIST_PIXELS) {
    throw new BadRequestError(`The input must be Float32Array(${MNIST_PIXELS}), got ${pixels01?.length} values`);
  }
}

function checkDigit(name: string, v: number | null): void {
  if (v !== null && !(Number.isInteger(v) && v >= 0 && v <= 9)) throw new BadRequestError(`${name} must be a digit 0–9 (got ${String(v)})`);
}

/** Makes the Compare API on the lane's classifiers `models` (default: a copy of its own, for tests). */
export function createCompareApi(env: ExplainApiEnvironment, models: ClassifierModels = createClassifierModels(env)): CompareApi {
  const controllers = new Map<number, AbortController>();
  const cancelled = new Set<number>();

  /** Runs `work` with an AbortSignal that `cancel(jobId)` fires; AbortError if cancelled first. */
  const job = async <T>(jobId: number, work: (net: tf.LayersModel, signal: AbortSignal) => Promise<T>): Promise<T> => {
    if (cancelled.delete(jobId)) throw abortError(`Compare job ${jobId} was cancelled`);
    const controller = new AbortController();
    controllers.set(jobId, controller);
    try {
      const result = await withDevice(env.device, async () => {
        await models.ready();
        return work(await models.mnist(), controller.signal);
      });
      if (controller.signal.aborted) throw abortError(`Compare job ${jobId} was cancelled`);
      return result;
    } catch (e) {
      if (controller.signal.aborted) throw abortError(`Compare job ${jobId} was cancelled`);
      throw e;
    } finally {
      controllers.delete(jobId);
    }
  };

  return {
    init(preference, options) {
      const backend = models.start(preference, options);
      void backend.then(() => models.mnist()).catch(() => undefined);
      return backend;
    },

    compare(jobId, pixels01, params) {
      checkPixels(pixels01);
      checkDigit('target', params.target);
      checkDigit('contrast', params.contrast);
      return job(jobId, async (net, signal) => {
        const reference01 = referencePixels(params.reference, pixels01);
        const input = tf.tensor4d(pixels01, [1, ...SHAPE] as [number, number, number, number]);
        const reference = tf.tensor4d(reference01, [1, ...SHAPE] as [number, number, number, number]);
        try {
          const results = await compareMethods(net, input, {
            target: params.target ?? undefined, contrast: params.contrast, reference,
            steps: params.steps, referenceCount: params.references,
          }, params.methods, signal);
          const maps: CompareMap[] = results.map((r) => ({
            method: r.method as CompareMap['method'], attributions: Float32Array.from(r.attributions), sum: r.sum,
            delta: r.delta, completenessError: r.completenessError, sumStd: r.spread?.sumStd ?? null, ms: r.ms,
          }));
          const logits = results[0]?.logits ?? [];
          const result: CompareResult = {
            target: results[0]?.target ?? 0, contrast: params.contrast,
            predicted: logits.reduce((best, v, i) => (v > logits[best] ? i : best), 0), maps,
          };
          return Comlink.transfer(result, maps.map((m) => m.attributions.buffer));
        } finally {
          input.dispose();
          reference.dispose();
        }
      });
    },

    erase(jobId, pixels01, params) {
      checkPixels(pixels01);
      checkDigit('original', params.original);
      checkDigit('target', params.target);
      if (params.original === params.target) throw new BadRequestError('Pick two different classes to convert between.');
      return job(jobId, async (net, signal) => {
        const { logOddsBefore, curves } = await erasureCurves(
          net, pixels01, new Float32Array(MNIST_PIXELS), SHAPE, params.original, params.target,
          { steps: params.steps, referenceCount: params.references }, params.methods, signal);
        const result: EraseResult = { original: params.original, target: params.target, logOddsBefore, curves };
        return Comlink.transfer(result, curves.flatMap((c) => [c.order.buffer, c.change.buffer]));
      });
    },

    cancel(jobId) {
      const c = controllers.get(jobId);
      if (c) c.abort();
      else {
        cancelled.add(jobId);
        if (cancelled.size > 64) cancelled.delete(cancelled.values().next().value!);
      }
    },
  };
}
