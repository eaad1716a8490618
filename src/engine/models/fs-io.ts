/**
 * A tfjs IOHandler that loads a layers model (model.json + binary shards)
 * from the local file system, for Node (command line, benchmarks, tests).
 * @tensorflow/tfjs has no `file://` handler without tfjs-node. Not for the
 * browser: the app loads the same folder over HTTP.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

/** Reads `modelJsonPath` and the shards it names (relative to its folder). */
export function fileSystemIO(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const dir = path.dirname(modelJsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = await readFile(path.join(dir, p));
            buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
