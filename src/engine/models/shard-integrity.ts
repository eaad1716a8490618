/**
 * Weight-shard integrity for models loaded over HTTP. A built-in model's
 * model.json carries, next to each weights group's `paths`, a `sha256` list
 * (one lowercase hex digest per path, written by the scripts that make the
 * models). `verifyingFetch` wraps the fetch that tfjs's http loader uses: it
 * reads those digests from model.json, checks every shard with SubtleCrypto
 * before tfjs sees it, and on a mismatch drops any cached copy (a service
 * worker's precache, which could hold a damaged file) and fetches it once more
 * from the network. A shard that is still wrong (flipped bytes, truncated)
 * fails the load with a ModelLoadError naming the file.
 */
import { ModelLoadError } from './dream-model';

/** A weights group as model.json stores it, with the optional digests. */
export interface HashedWeightsGroup {
  paths: string[];
  sha256?: string[];
}

/** SHA-256 of `bytes` as lowercase hex (SubtleCrypto: browsers, workers and Node ≥ 20). */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function withoutQuery(url: string): string {
  const u = new URL(url);
  u.search = '';
  u.hash = '';
  return u.href;
}

/**
 * Absolute shard URL → expected digest, from a parsed model.json fetched from `modelUrl`.
 * With `requireHashes`, a shard without a digest is an error (built-in models always have them).
 */
export function manifestHashes(modelJson: unknown, modelUrl: string, requireHashes: boolean): Map<string, string> {
  const groups = (modelJson as { weightsManifest?: HashedWeightsGroup[] })?.weightsManifest ?? [];
  const hashes = new Map<string, string>();
  for (const group of groups) {
    group.paths.forEach((p, i) => {
      const digest = group.sha256?.[i];
      if (typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest)) hashes.set(withoutQuery(new URL(p, modelUrl).href), digest);
      else if (requireHashes) throw new ModelLoadError(`the model's manifest has no SHA-256 for ${p}, so it cannot be checked`);
    });
  }
  return hashes;
}

export interface ShardCache {
  drop(url: string): Promise<void>;
  put(url: string, bytes: ArrayBuffer): Promise<void>;
}

export interface VerifyingFetchOptions {
  /** The fetch to wrap (default: the global one). */
  fetch?: typeof fetch;
  /** A cache that may hold shards: a failing copy is dropped before the refetch, and the good bytes put back. */
  cache?: ShardCache;
  /** Fail when a shard has no digest in the manifest. */
  requireHashes?: boolean;
}

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function fileName(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? url;
}

/**
 * A fetch for `tf.loadLayersModel(url, { fetchFunc })` that verifies every
 * shard named in the model.json it fetched first. Responses it checked are
 * returned as new in-memory Responses of the verified bytes.
 */
export function verifyingFetch(options: VerifyingFetchOptions = {}): typeof fetch {
  const base = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const expected = new Map<string, string>();

  const check = async (url: string, bytes: ArrayBuffer, want: string): Promise<string | null> => {
    const got = await sha256Hex(bytes);
    return got === want ? null : `${fileName(url)} is damaged (${bytes.byteLength} bytes, SHA-256 ${got.slice(0, 12)}…, expected ${want.slice(0, 12)}…)`;
  };

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(urlOf(input), typeof location === 'undefined' ? undefined : location.href).href;
    const response = await base(input, init);
    if (!response.ok) return response;
    const key = withoutQuery(url);
    const want = expected.get(key);
    if (want === undefined) {
      if (new URL(url).pathname.endsWith('.json')) {
        let json: unknown;
        try {
          json = await response.clone().json();
        } catch {
          return response; // tfjs reports the parse error itself
        }
        for (const [k, v] of manifestHashes(json, url, options.requireHashes ?? false)) expected.set(k, v);
      }
      return response;
    }
    let bytes = await response.arrayBuffer();
    let problem = await check(url, bytes, want);
    if (problem) {
      // The copy may come from a cache: drop it and ask the network once more.
      await options.cache?.drop(url).catch(() => undefined);
      const again = await base(url, { ...init, cache: 'reload' }).catch((e: unknown) => {
        // Offline, say: the damaged copy is gone, and a new one cannot be had now.
        throw new ModelLoadError(`${problem}; fetching it again failed (${e instanceof Error ? e.message : String(e)})`);
      });
      if (!again.ok) throw new ModelLoadError(`${problem}; fetching it again failed (HTTP ${again.status})`);
      bytes = await again.arrayBuffer();
      problem = await check(url, bytes, want);
      if (problem) throw new ModelLoadError(`${problem}, also when fetched again`);
      await options.cache?.put(url, bytes).catch(() => undefined);
    }
    return new Response(bytes, { status: 200, headers: { 'content-type': 'application/octet-stream' } });
  };
}
