import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSystemIO } from './fs-io';
import { manifestHashes, sha256Hex, verifyingFetch, type ShardCache } from './shard-integrity';

const MNIST_DIR = path.resolve(__dirname, '../../../public/models/mnist');
const BASE = 'http://app.test/models/mnist/';
const modelJson = readFileSync(path.join(MNIST_DIR, 'model.json'));
// Plain copies: a Buffer's slice() is a view, and the tests alter copies.
const shard = new Uint8Array(readFileSync(path.join(MNIST_DIR, 'weights.bin')));

/** A fake network serving the shipped MNIST model; `shardBytes` says what each shard request returns. */
function server(shardBytes: (attempt: number) => Uint8Array) {
  let attempts = 0;
  const calls: { url: string; cache?: RequestCache }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push({ url, cache: init?.cache });
    if (url.endsWith('model.json')) return new Response(modelJson);
    if (url.includes('weights.bin')) return new Response(shardBytes(attempts++).slice());
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { fetchFn, calls };
}

function flipped(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[1234] = copy[1234]! ^ 0x01;
  return copy;
}

function fakeCache() {
  const log: string[] = [];
  const cache: ShardCache = {
    drop: async (url) => void log.push(`drop ${new URL(url).pathname}`),
    put: async (url, bytes) => void log.push(`put ${new URL(url).pathname} ${bytes.byteLength}`),
  };
  return { cache, log };
}

async function load(fetchFunc: typeof fetch) {
  const model = await tf.loadLayersModel(tf.io.http(`${BASE}model.json`, { fetchFunc }));
  model.dispose();
}

describe('shard integrity', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('sha256Hex agrees with node:crypto, and the shipped manifest names the shard’s true digest', async () => {
    const bytes = new TextEncoder().encode('DreamLift');
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    const hashes = manifestHashes(JSON.parse(modelJson.toString('utf8')), `${BASE}model.json`, true);
    expect([...hashes.keys()]).toEqual([`${BASE}weights.bin`]);
    expect(hashes.get(`${BASE}weights.bin`)).toBe(createHash('sha256').update(shard).digest('hex'));
  });

  it('a good shard loads, without touching the cache', async () => {
    const start = tf.memory().numTensors;
    const { cache, log } = fakeCache();
    const { fetchFn, calls } = server(() => shard);
    await load(verifyingFetch({ fetch: fetchFn, cache, requireHashes: true }));
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual(['/models/mnist/model.json', '/models/mnist/weights.bin']);
    expect(log).toEqual([]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('a flipped byte from the cache is dropped, fetched again from the network, and the good copy put back', async () => {
    const { cache, log } = fakeCache();
    const { fetchFn, calls } = server((attempt) => (attempt === 0 ? flipped(shard) : shard));
    await load(verifyingFetch({ fetch: fetchFn, cache, requireHashes: true }));
    expect(calls.at(-1)?.cache).toBe('reload');
    expect(log).toEqual(['drop /models/mnist/weights.bin', `put /models/mnist/weights.bin ${shard.byteLength}`]);
  });

  it('a shard that stays corrupt or truncated fails with a ModelLoadError naming the file', async () => {
    for (const bad of [flipped(shard), shard.subarray(0, shard.byteLength - 100)]) {
      const { cache, log } = fakeCache();
      const { fetchFn } = server(() => bad);
      const error = await load(verifyingFetch({ fetch: fetchFn, cache, requireHashes: true })).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.name).toBe('ModelLoadError');
      expect(error?.message).toMatch(/weights\.bin is damaged .*also when fetched again/);
      expect(log).toEqual(['drop /models/mnist/weights.bin']);
    }
  });

  it('a damaged copy while offline: the error says the file is damaged and could not be fetched again', async () => {
    const { cache } = fakeCache();
    let shardCalls = 0;
    const fetchFn = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('model.json')) return new Response(modelJson);
      if (shardCalls++ === 0) return new Response(flipped(shard).slice());
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(load(verifyingFetch({ fetch: fetchFn, cache, requireHashes: true }))).rejects.toMatchObject({
      name: 'ModelLoadError',
      message: expect.stringMatching(/weights\.bin is damaged .*fetching it again failed \(Failed to fetch\)/),
    });
  });

  it('a built-in manifest without digests is refused', () => {
    const json = JSON.parse(modelJson.toString('utf8')) as { weightsManifest: { sha256?: string[] }[] };
    delete json.weightsManifest[0]!.sha256;
    expect(() => manifestHashes(json, `${BASE}model.json`, true)).toThrow(/no SHA-256 for .\/weights.bin/);
    expect(manifestHashes(json, `${BASE}model.json`, false).size).toBe(0);
  });

  it('the Node file loader checks digests too', async () => {
    const model = await tf.loadLayersModel(fileSystemIO(path.join(MNIST_DIR, 'model.json')));
    model.dispose();
  });
});
