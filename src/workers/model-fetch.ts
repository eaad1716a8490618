/**
 * How the workers fetch the built-in models: through the verifying fetch
 * (every shard's SHA-256 checked before tfjs sees it), with Cache Storage as
 * the cache whose damaged copies are dropped. The service worker's precache
 * lives there; a shard that fails is removed, fetched again from the network,
 * and the verified bytes are put back under the same cache keys, so the next
 * offline visit has a good copy.
 */
import { verifyingFetch } from '../engine/models/shard-integrity';

function sameFile(a: string, b: string): boolean {
  const x = new URL(a);
  const y = new URL(b);
  return x.origin === y.origin && x.pathname === y.pathname;
}

/** Cache keys (cache name and request) of the copies dropped per URL, to put the good bytes back. */
const dropped = new Map<string, { cache: string; request: Request }[]>();

async function dropCached(url: string): Promise<void> {
  if (typeof caches === 'undefined') return;
  const found: { cache: string; request: Request }[] = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (!sameFile(request.url, url)) continue;
      await cache.delete(request);
      found.push({ cache: name, request });
    }
  }
  dropped.set(url, found);
}

async function putBack(url: string, bytes: ArrayBuffer): Promise<void> {
  if (typeof caches === 'undefined') return;
  for (const { cache, request } of dropped.get(url) ?? []) {
    await (await caches.open(cache)).put(request, new Response(bytes.slice(0), { headers: { 'content-type': 'application/octet-stream' } }));
  }
  dropped.delete(url);
}

/** A fresh verifying fetch for one model load (built-in models must carry digests). */
export function builtInModelFetch(): typeof fetch {
  return verifyingFetch({ requireHashes: true, cache: { drop: dropCached, put: putBack } });
}
