/**
 * The classifiers of the interactive lane, one copy each: its backend (started
 * once per preference), the built-in MNIST classifier (loaded once per backend,
 * behind a cached promise, its shape checked) and the registry of the user's
 * models (model-registry.ts), whose 'mnist' entry is that same MNIST model.
 * The Explain and Compare feature modules of the lane take the same instance,
 * so the digit model is loaded once however many of them run.
 *
 * The environment (how to start a backend, where the model comes from) is
 * injected so tests build this in Node with a model from disk.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, BackendPreference } from '../engine/backend';
import { MNIST_SIDE } from '../engine/image/mnist-preprocess';
import { ModelLoadError } from '../engine/models/dream-model';
import type { BackendStartOptions } from './device-lost';
import { createModelRegistry, type ModelRegistry, type ModelRegistryEnvironment } from './model-registry';
import type { DeviceWatch } from './worker-faults';
import { timedLoad } from './worker-stats';

export interface ClassifierEnvironment {
  /** Starts (or returns the already started) backend for `preference`. */
  startBackend(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /** Tells of GPU device loss (absent: nothing to lose, e.g. in Node). */
  device?: DeviceWatch;
  /** Loads the MNIST classifier ([b, 28, 28, 1] → [b, 10] softmax); called once per backend unless it fails. */
  loadModel(): Promise<tf.LayersModel>;
  /** The backend tfjs runs on now (default tf.getBackend()); tests stand in a switch with it. */
  activeBackend?(): string;
  /** Where user models are kept (absent: only the built-in MNIST model is served). */
  models?(loadMnist: () => Promise<tf.LayersModel>): ModelRegistryEnvironment;
}

export interface ClassifierModels {
  /** Starts the backend for `preference` (WebGPU skipped after a device loss) and remembers it. */
  start(preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo>;
  /** The started backend, or 'auto' started now when nothing has been started yet. */
  ready(): Promise<BackendInfo>;
  /** The MNIST classifier on the active backend (loaded again after a backend switch). */
  mnist(): Promise<tf.LayersModel>;
  /** The user's models and 'mnist'; null when the environment keeps none. */
  registry: ModelRegistry | null;
  /** Wall time (ms) of the last successful MNIST load; null before one. */
  loadMs(): number | null;
}

function checkModel(model: tf.LayersModel): void {
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  if (input.length !== 4 || input[1] !== MNIST_SIDE || input[2] !== MNIST_SIDE || input[3] !== 1 || output[1] !== 10) {
    throw new ModelLoadError(
      `The digit model has the wrong shape (input ${JSON.stringify(input)}, output ${JSON.stringify(output)}); expected [null,28,28,1] → [null,10].`,
    );
  }
}

export function createClassifierModels(env: ClassifierEnvironment): ClassifierModels {
  let backend: Promise<BackendInfo> | null = null;
  let model: Promise<tf.LayersModel> | null = null;
  /** The backend the model's weights were loaded on. */
  let modelBackend: string | null = null;
  let modelLoadMs: number | null = null;
  const activeBackend = () => (env.activeBackend ? env.activeBackend() : tf.getBackend());

  const mnist = (): Promise<tf.LayersModel> => {
    // Weights do not reliably follow a backend switch (WebGPU cannot hand its buffers to CPU synchronously),
    // so after the user picks another backend the model is loaded again there.
    if (model && modelBackend !== activeBackend()) {
      const old = model;
      model = null;
      void old.then((m) => m.dispose()).catch(() => undefined);
    }
    if (!model) {
      modelBackend = activeBackend();
      const promise = timedLoad(
        () => env.loadModel(),
        (ms) => {
          modelLoadMs = ms;
        },
      )
        .then((m) => {
          checkModel(m);
          return m;
        })
        .catch((e: unknown) => {
          if (e instanceof Error && e.name === 'ModelLoadError') throw e;
          throw new ModelLoadError(`The digit model could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
        });
      model = promise;
      // A failed load is retried on the next request (a network blip must not break the panel for good).
      promise.catch(() => {
        if (model === promise) model = null;
      });
    }
    return model;
  };

  const start = (preference: BackendPreference, options?: BackendStartOptions): Promise<BackendInfo> => {
    backend = env.startBackend(preference, options);
    return backend;
  };

  return {
    start,
    ready: () => backend ?? start('auto'),
    mnist,
    registry: env.models ? createModelRegistry(env.models(mnist)) : null,
    loadMs: () => modelLoadMs,
  };
}
