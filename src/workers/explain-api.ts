/**
 * The Explain feature module of the interactive lane (lane-api.ts composes
 * it with Compare; lane.worker.ts only adds `expose`). Through the lane's
 * classifiers (classifier-models.ts) it starts a backend and loads the MNIST
 * classifier once, lazily, behind cached promises; builds the input and reference tensors; runs the
 * engine's DeepLIFT (all ten class maps in one batched pass); and returns plain
 * data, its Float32Arrays transferred. Cancellation is checked before the work
 * starts and before the result is returned: a pass on this model takes
 * milliseconds, so interrupting it midway would gain nothing.
 *
 * The environment (how to start a backend, where the model comes from) is
 * injected so tests call this object directly in Node with a model from disk.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { deepLift } from '../engine/deeplift/deeplift';
import { convLayers } from '../engine/deeplift/layer-backward';
import { deepLiftLayerScores } from '../engine/deeplift/layer-scores';
import { MNIST_PIXELS, MNIST_SIDE, uploadToInk } from '../engine/image/mnist-preprocess';
import { referencePixels } from '../engine/image/reference';
import { ModelLoadError } from '../engine/models/dream-model';
import { comparePhotoMethods } from '../engine/models/photo-compare';
import { explainPhoto, photoConvLayers, photoLayerScores } from '../engine/models/photo-explain';
import { MNIST_MODEL_ID, type ExplainApi, type ExplainParams, type ExplainResult, type FiltersParams, type FiltersResult, type PhotoCompareResult, type PhotoExplainResult, type PhotoFiltersResult } from './explain-protocol';
import { browserModelEnvironment } from './model-registry';
import { createClassifierModels, type ClassifierEnvironment, type ClassifierModels } from './classifier-models';
import { abortError } from './worker-handle';
import { browserDeviceWatch, injectFault, withDevice } from './worker-faults';
import { workerMemory } from './worker-stats';
import { builtInModelFetch } from './model-fetch';

/** What the Explain API needs from its worker: the classifiers' environment (classifier-models.ts). */
export type ExplainApiEnvironment = ClassifierEnvironment;

/** Thrown for requests the worker cannot serve (wrong input size, bad class index). */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

function checkClass(name: string, value: number | null): void {
  if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= 9)) {
    throw new BadRequestError(`${name} must be a digit 0–9 (got ${String(value)})`);
  }
}

function checkRequest(pixels01: Float32Array, params: ExplainParams): void {
  if (!(pixels01 instanceof Float32Array) || pixels01.length !== MNIST_PIXELS) {
    throw new BadRequestError(`The input must be Float32Array(${MNIST_PIXELS}), got ${pixels01?.length} values`);
  }
  checkClass('target', params.target);
  checkClass('contrast', params.contrast);
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Makes the Explain API. `models` is the lane's one copy of the classifiers (backend, MNIST, registry);
 * the Compare API of the same lane takes the same instance (lane-api.ts). Default: a copy of its own.
 */
export function createExplainApi(env: ExplainApiEnvironment, models: ClassifierModels = createClassifierModels(env)): ExplainApi {
  const cancelled = new Set<number>();
  /** Long jobs (a photo compare runs several methods) that cancel() interrupts midway. */
  const running = new Map<number, AbortController>();
  const getModel = models.mnist;
  const registry = models.registry;
  const needRegistry = () => {
    if (!registry) throw new BadRequestError('This worker serves only the built-in digit model.');
    return registry;
  };

  const throwIfCancelled = (jobId: number) => {
    if (cancelled.has(jobId)) {
      cancelled.delete(jobId);
      throw abortError(`Explain job ${jobId} was cancelled`);
    }
  };

  const api: ExplainApi = {
    init(preference, options) {
      const backend = models.start(preference, options);
      // Warm the model up in the background; errors surface on the first explain.
      void backend.then(() => getModel()).catch(() => undefined);
      return backend;
    },

    async explain(jobId, pixels01, params: ExplainParams): Promise<ExplainResult> {
      throwIfCancelled(jobId);
      if ((params.modelId ?? MNIST_MODEL_ID) !== MNIST_MODEL_ID) {
        throw new BadRequestError(`Drawn digits go to the digit model; model "${params.modelId}" takes photos (explainPhoto).`);
      }
      checkRequest(pixels01, params);
      await models.ready();
      const net = await getModel();
      throwIfCancelled(jobId);

      const reference01 = referencePixels(params.reference, pixels01);
      const input = tf.tensor4d(pixels01, [1, MNIST_SIDE, MNIST_SIDE, 1]);
      const reference = tf.tensor4d(reference01, [1, MNIST_SIDE, MNIST_SIDE, 1]);
      let lift: Awaited<ReturnType<typeof deepLift>>;
      try {
        lift = await deepLift(net, input, {
          rule: params.rule,
          target: params.target ?? undefined,
          contrast: params.contrast,
          softmaxNormalize: params.softmaxNormalize,
          reference,
          allClasses: true,
        });
      } finally {
        input.dispose();
        reference.dispose();
      }
      throwIfCancelled(jobId);

      // Copies, so every array owns its buffer and can be transferred on its own.
      const attributions = Float32Array.from(lift.attributions);
      const classMaps = (lift.classMaps ?? []).map((m) => Float32Array.from(m));
      const result: ExplainResult = {
        attributions,
        target: lift.target,
        contrast: lift.contrast,
        predicted: argmax(lift.probabilities),
        delta: lift.delta,
        sum: lift.sum,
        logits: lift.logits,
        probabilities: lift.probabilities,
        referenceLogits: lift.referenceLogits,
        referenceProbabilities: lift.referenceProbabilities,
        classMaps,
        classDeltas: lift.classDeltas ?? [],
        reference01,
      };
      return Comlink.transfer(result, [attributions.buffer, reference01.buffer, ...classMaps.map((m) => m.buffer)]);
    },

    async layers() {
      await models.ready();
      return convLayers(await getModel()).map(({ name, className, shape, isCut }) => ({ name, className, shape, isCut }));
    },

    async filters(jobId, pixels01, params: FiltersParams): Promise<FiltersResult> {
      throwIfCancelled(jobId);
      checkRequest(pixels01, params);
      await models.ready();
      const net = await getModel();
      const layer = convLayers(net).find((l) => l.name === params.layer);
      if (!layer) throw new BadRequestError(`The model has no convolutional layer named "${params.layer}"`);
      throwIfCancelled(jobId);
      const input = tf.tensor4d(pixels01, [1, MNIST_SIDE, MNIST_SIDE, 1]);
      const reference = tf.tensor4d(referencePixels(params.reference, pixels01), [1, MNIST_SIDE, MNIST_SIDE, 1]);
      let scores: Awaited<ReturnType<typeof deepLiftLayerScores>>;
      try {
        scores = await deepLiftLayerScores(net, input, {
          rule: params.rule,
          layer: params.layer,
          target: params.target ?? undefined,
          contrast: params.contrast,
          softmaxNormalize: params.softmaxNormalize,
          reference,
          topChannels: params.topChannels,
        });
      } finally {
        input.dispose();
        reference.dispose();
      }
      throwIfCancelled(jobId);
      const result: FiltersResult = {
        layer: params.layer,
        layerShape: scores.layerShape,
        isCut: layer.isCut,
        channelContributions: scores.channelContributions,
        order: scores.order,
        topChannels: scores.topChannels,
        topInputMaps: scores.topInputMaps,
        target: scores.target,
        contrast: scores.contrast,
        delta: scores.delta,
        sum: scores.sum,
      };
      return Comlink.transfer(result, [result.channelContributions.buffer, ...result.topInputMaps.map((m) => m.buffer)]);
    },

    async addModel(request) {
      await models.ready();
      return needRegistry().add(request);
    },

    async removeModel(id) {
      await needRegistry().remove(id);
    },

    async explainPhoto(jobId, modelId, photo, params): Promise<PhotoExplainResult> {
      throwIfCancelled(jobId);
      await models.ready();
      const net = await needRegistry().get(modelId);
      throwIfCancelled(jobId);
      const r = await explainPhoto(net, photo, params);
      throwIfCancelled(jobId);
      const result: PhotoExplainResult = {
        modelId,
        height: r.height,
        width: r.width,
        attributions: r.pixelContributions,
        seen: r.seen,
        target: r.target,
        contrast: r.contrast,
        predicted: r.predicted,
        top: r.top,
        delta: r.delta,
        sum: r.sum,
      };
      return Comlink.transfer(result, [r.pixelContributions.buffer, r.seen.buffer]);
    },

    async photoLayers(modelId, input) {
      await models.ready();
      const layers = await photoConvLayers(await needRegistry().get(modelId), input);
      return layers.map(({ name, className, shape, isCut }) => ({ name, className, shape, isCut }));
    },

    async photoFilters(jobId, modelId, photo, params): Promise<PhotoFiltersResult> {
      throwIfCancelled(jobId);
      await models.ready();
      const net = await needRegistry().get(modelId);
      throwIfCancelled(jobId);
      const r = await photoLayerScores(net, photo, params);
      throwIfCancelled(jobId);
      const result: PhotoFiltersResult = { ...r, modelId };
      return Comlink.transfer(result, [r.channelContributions.buffer, ...r.topInputMaps.map((m) => m.buffer)]);
    },

    async comparePhoto(jobId, modelId, photo, params): Promise<PhotoCompareResult> {
      throwIfCancelled(jobId);
      await models.ready();
      const net = await needRegistry().get(modelId);
      throwIfCancelled(jobId);
      const controller = new AbortController();
      running.set(jobId, controller);
      try {
        const r = await comparePhotoMethods(net, photo, params, controller.signal);
        if (controller.signal.aborted) throw abortError(`Explain job ${jobId} was cancelled`);
        const result: PhotoCompareResult = { ...r, modelId };
        return Comlink.transfer(result, [r.seen.buffer, ...r.maps.map((m) => m.attributions.buffer)]);
      } catch (e) {
        if (controller.signal.aborted) throw abortError(`Explain job ${jobId} was cancelled`);
        throw e;
      } finally {
        running.delete(jobId);
      }
    },

    cancel(jobId) {
      running.get(jobId)?.abort();
      cancelled.add(jobId);
      // Forget cancels of jobs that already finished, so the set cannot grow without bound.
      if (cancelled.size > 64) cancelled.delete(cancelled.values().next().value!);
    },

    async memory() {
      return workerMemory(models.loadMs());
    },

    async cleanUpload(gray01, width, height) {
      const ink = uploadToInk(gray01, width, height);
      // The photo's own arrays stay here; only the clean ink travels back.
      return Comlink.transfer(ink, [ink.ink01.buffer]);
    },

    async fault(kind) {
      return injectFault(kind);
    },
  };
  // A request that overlaps a lost GPU device fails as DeviceLostError, whatever it computed.
  const explainOnDevice = api.explain;
  api.explain = (jobId, pixels01, params) => withDevice(env.device, () => explainOnDevice(jobId, pixels01, params));
  const filtersOnDevice = api.filters!;
  api.filters = (jobId, pixels01, params) => withDevice(env.device, () => filtersOnDevice(jobId, pixels01, params));
  const explainPhotoOnDevice = api.explainPhoto!;
  api.explainPhoto = (jobId, modelId, photo, params) => withDevice(env.device, () => explainPhotoOnDevice(jobId, modelId, photo, params));
  const comparePhotoOnDevice = api.comparePhoto!;
  api.comparePhoto = (jobId, modelId, photo, params) => withDevice(env.device, () => comparePhotoOnDevice(jobId, modelId, photo, params));
  const photoFiltersOnDevice = api.photoFilters!;
  api.photoFilters = (jobId, modelId, photo, params) => withDevice(env.device, () => photoFiltersOnDevice(jobId, modelId, photo, params));
  return api;
}

/** The browser worker's environment: the shared runtime's backend and the model served by the app. */
export const browserExplainEnvironment: ExplainApiEnvironment = {
  async startBackend(preference, options) {
    const runtime = await import('./runtime');
    return runtime.startBackend(preference, options);
  },
  device: browserDeviceWatch,
  models: browserModelEnvironment,
  loadModel() {
    const url = new URL(`${import.meta.env.BASE_URL}models/mnist/model.json`, self.location.href).href;
    // Every shard checked against its SHA-256 before use (model-fetch.ts); a damaged one is named.
    return tf.loadLayersModel(url, { fetchFunc: builtInModelFetch() }).catch((e: unknown) => {
      if (e instanceof Error && e.name === 'ModelLoadError') throw new ModelLoadError(`The digit model could not be loaded: ${e.message}`);
      throw e;
    });
  },
};
