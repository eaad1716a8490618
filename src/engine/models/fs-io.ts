/**
 * A tfjs IOHandler that loads a layers model (model.json + binary shards)
 * from the local file system, for Node (command line, benchmarks, tests).
 * @tensorflow/tfjs has no `file://` handler without tfjs-node. Not for the
 * browser: the app loads the same folder over HTTP.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ModelLoadError } from './dream-model';
import { tfjsTopology } from './keras-topology';
// The layer classes a rewritten topology relies on (a build-time Reshape, Keras' ReLU …).
import '../deeplift/keras-compat';
import { sha256Hex, type HashedWeightsGroup } from './shard-integrity';

/** Reads `modelJsonPath` (a Keras 3 topology rewritten for tfjs) and the shards it names (relative to its folder), checking each shard's SHA-256 when the manifest has one. */
export function fileSystemIO(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = tfjsTopology(JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON);
      const dir = path.dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const [i, p] of group.paths.entries()) {
            const b = await readFile(path.join(dir, p));
            // Shards with a digest in the manifest are checked, as the app checks them.
            const want = (group as HashedWeightsGroup).sha256?.[i];
            if (want && (await sha256Hex(b)) !== want) throw new ModelLoadError(`${p} is damaged (its SHA-256 does not match the manifest)`);
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
