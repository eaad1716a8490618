/**
 * The object the Compare worker exposes (compare.worker.ts only adds
 * `expose`): every attribution method on one digit, and the erasure curves
 * of the Erase-to-convert view, from src/engine/attribution/compare.ts.
 * Backend and MNIST model start once, lazily (the Explain worker's
 * environment, explain-api.ts); cancellation is checked between methods.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type { BackendInfo } from '../engine/backend';
import { compareMethods, erasureCurves } from '../engine/attribution/compare';
import { MNIST_PIXELS, MNIST_SIDE } from '../engine/image/mnist-preprocess';
import { referencePixels } from '../engine/image/reference';
import { ModelLoadError } from '../engine/models/dream-model';
import { BadRequestError, type ExplainApiEnvironment } from './explain-api';
import type { CompareApi, CompareMap, CompareResult, EraseResult } from './compare-protocol';
import { abortError } from './worker-handle';

const SHAPE = [MNIST_SIDE, MNIST_SIDE, 1];

function checkPixels(pixels01: Float32Array): void {
  if (!(pixels01 instanceof Float32Array) || pixels01.length !== MNIST_PIXELS) {
    throw new BadRequestError(`The input must be Float32Array(${MNIST_PIXELS}), got ${pixels01?.length} values`);
  }
}

function checkDigit(name: string, v: number | null): void {
  if (v !== null && !(Number.isInteger(v) && v >= 0 && v <= 9)) throw new BadRequestError(`${name} must be a digit 0–9 (got ${String(v)})`);
}

export function createCompareApi(env: ExplainApiEnvironment): CompareApi {
  let backend: Promise<BackendInfo> | null = null;
  let model: Promise<tf.LayersModel> | null = null;
  const controllers = new Map<number, AbortController>();
  const cancelled = new Set<number>();

  const getModel = (): Promise<tf.LayersModel> => {
    if (!model) {
      const promise = env.loadModel().catch((e: unknown) => {
        throw new ModelLoadError(`The digit model could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      });
      model = promise;
      promise.catch(() => {
        if (model === promise) model = null;
      });
    }
    return model;
  };

  /** Runs `work` with an AbortSignal that `cancel(jobId)` fires; AbortError if cancelled first. */
  const job = async <T>(jobId: number, work: (net: tf.LayersModel, signal: AbortSignal) => Promise<T>): Promise<T> => {
    if (cancelled.delete(jobId)) throw abortError(`Compare job ${jobId} was cancelled`);
    const controller = new AbortController();
    controllers.set(jobId, controller);
    try {
      await (backend ?? (backend = env.startBackend('auto')));
      const net = await getModel();
      const result = await work(net, controller.signal);
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
    init(preference) {
      backend = env.startBackend(preference);
      void backend.then(() => getModel()).catch(() => undefined);
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
