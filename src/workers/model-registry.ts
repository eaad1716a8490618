/**
 * The worker's model instances, keyed by model id: the built-in MNIST
 * classifier ('mnist') and the user's models. One loader verifies a user's
 * files (model-inspect.ts), builds the model, checks that DeepLIFT can run it
 * (one trial pass at the guessed input size, which names an unsupported
 * layer), and keeps it (the browser's tfjs `indexeddb://` store) so it is
 * there again after a reload. Models are loaded again when the backend
 * changes (weights do not follow a backend switch reliably).
 */
import * as tf from '@tensorflow/tfjs';
import { deepLift, releaseDeepLiftCache } from '../engine/deeplift/deeplift';
import { atInputSize, releaseFixedSize } from '../engine/models/fixed-size';
import {
  BadModelError,
  checkLabels,
  checkModelJson,
  inspectModel,
  modelArtifacts,
  sortModelFiles,
  type NamedBuffer,
} from '../engine/models/model-inspect';
import type { ModelFacts } from '../engine/models/model-spec';

/** What the worker tells the catalogue about a model it added. */
export interface AddedModel extends ModelFacts {
  /** The model's own name (its Keras name). */
  modelName: string;
  /** The labels file's name when the labels came from one. */
  labelsFile: string | null;
}

export interface AddModelRequest {
  id: string;
  /** model.json, its .bin shards, optionally labels.txt / a JSON array of labels. */
  files?: NamedBuffer[];
  /** A model.json URL on the app's own origin (its shards are fetched beside it). */
  url?: string;
}

export interface ModelRegistryEnvironment {
  /** The built-in models by id ('mnist'). */
  loadBuiltin(id: string): Promise<tf.LayersModel> | null;
  /** Keeps a user model so `restore` finds it after a reload. */
  persist(id: string, model: tf.LayersModel): Promise<void>;
  restore(id: string): Promise<tf.LayersModel>;
  forget(id: string): Promise<void>;
  /** Fetches a same-origin file (URL models). */
  fetchFile?(url: string): Promise<ArrayBuffer>;
  activeBackend(): string;
}

export interface ModelRegistry {
  add(request: AddModelRequest): Promise<AddedModel>;
  /** The model `id` on the active backend (loaded or restored on first use). */
  get(id: string): Promise<tf.LayersModel>;
  remove(id: string): Promise<void>;
}

/** The tfjs IndexedDB key of a kept user model. */
export const indexedDbKey = (id: string) => `indexeddb://dreamlift-model-${id}`;

/** Checks that DeepLIFT has a rule for every layer: one pass on zeros at the model's input size. */
async function trialExplanation(model: tf.LayersModel, facts: ModelFacts): Promise<void> {
  const x = tf.zeros([1, facts.input.height, facts.input.width, facts.input.channels]);
  try {
    await deepLift(await atInputSize(model, facts.input.height, facts.input.width), x, { rule: 'rescale', target: 0 });
  } catch (e) {
    if (e instanceof Error && e.name === 'UnsupportedLayerError') {
      throw new BadModelError(`This model cannot be explained: ${e.message}. Supported layers are listed in the README.`);
    }
    throw e;
  } finally {
    x.dispose();
  }
}

/** A URL's files: model.json and the shards its manifest names, fetched beside it. */
async function fetchModelFiles(url: string, fetchFile: (u: string) => Promise<ArrayBuffer>): Promise<NamedBuffer[]> {
  const jsonBytes = await fetchFile(url);
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonBytes)) as tf.io.ModelJSON;
  } catch {
    throw new BadModelError(`${new URL(url).pathname} is not valid JSON: it is not a tfjs model.json.`);
  }
  const files: NamedBuffer[] = [{ name: 'model.json', data: jsonBytes }];
  checkModelJson(json);
  for (const path of (json.weightsManifest ?? []).flatMap((g) => g.paths)) {
    try {
      files.push({ name: path, data: await fetchFile(new URL(path, url).href) });
    } catch {
      // Missing: named by modelArtifacts.
    }
  }
  return files;
}

/** Disposes a model's weights and the engine's cached plan for it. */
function disposeModel(model: tf.LayersModel): void {
  releaseDeepLiftCache(model);
  releaseFixedSize(model);
  model.dispose();
}

export function createModelRegistry(env: ModelRegistryEnvironment): ModelRegistry {
  const loaded = new Map<string, { backend: string; model: Promise<tf.LayersModel> }>();

  const drop = (id: string) => {
    const entry = loaded.get(id);
    loaded.delete(id);
    void entry?.model.then(disposeModel).catch(() => undefined);
  };

  return {
    async add(request) {
      const files = request.files ?? (request.url && env.fetchFile ? await fetchModelFiles(request.url, env.fetchFile) : null);
      if (!files) throw new BadModelError('No model files were given.');
      const sorted = sortModelFiles(files);
      const weightBytes = checkModelJson(sorted.json);
      const artifacts = await modelArtifacts(sorted);
      let model: tf.LayersModel;
      try {
        model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      } catch (e) {
        throw new BadModelError(`The model could not be built from model.json: ${e instanceof Error ? e.message : String(e)}`);
      }
      try {
        const facts = inspectModel(model, weightBytes);
        checkLabels(sorted.labels, facts.numClasses, sorted.labelsFile ?? 'The labels file');
        await trialExplanation(model, facts);
        await env.persist(request.id, model);
        drop(request.id);
        loaded.set(request.id, { backend: env.activeBackend(), model: Promise.resolve(model) });
        return { ...facts, labels: sorted.labels ?? facts.labels, modelName: model.name, labelsFile: sorted.labelsFile };
      } catch (e) {
        disposeModel(model);
        throw e;
      }
    },

    get(id) {
      const backend = env.activeBackend();
      const entry = loaded.get(id);
      if (entry && entry.backend === backend) return entry.model;
      if (entry) drop(id);
      const model = env.loadBuiltin(id) ?? env.restore(id);
      loaded.set(id, { backend, model });
      // A failed load is tried again on the next request.
      model.catch(() => {
        if (loaded.get(id)?.model === model) loaded.delete(id);
      });
      return model;
    },

    async remove(id) {
      drop(id);
      await env.forget(id);
    },
  };
}

/** The browser's environment: user models kept in IndexedDB by tfjs, the built-ins served by the app. */
export function browserModelEnvironment(loadMnist: () => Promise<tf.LayersModel>): ModelRegistryEnvironment {
  return {
    loadBuiltin: (id) => (id === 'mnist' ? loadMnist() : null),
    async persist(id, model) {
      await model.save(indexedDbKey(id));
    },
    async restore(id) {
      try {
        return await tf.loadLayersModel(indexedDbKey(id));
      } catch (e) {
        throw new BadModelError(`The saved model could not be read from this browser's storage (${e instanceof Error ? e.message : String(e)}); remove it and load it again.`);
      }
    },
    async forget(id) {
      await tf.io.removeModel(indexedDbKey(id)).catch(() => undefined);
    },
    async fetchFile(url) {
      const target = new URL(url, self.location.href);
      if (target.origin !== self.location.origin) throw new BadModelError(`Models load only from this app's own origin (${self.location.origin}), not ${target.origin}.`);
      const response = await fetch(target.href);
      if (!response.ok) throw new BadModelError(`${target.pathname} could not be fetched (HTTP ${response.status}).`);
      // A single-page app's server answers unknown paths with its own index.html.
      if ((response.headers.get('content-type') ?? '').includes('text/html')) {
        throw new BadModelError(`${target.pathname} was not found on this site (the server answered with a web page).`);
      }
      return response.arrayBuffer();
    },
    activeBackend: () => tf.getBackend(),
  };
}
