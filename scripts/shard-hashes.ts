/**
 * Writes the SHA-256 of every weight shard into a model.json's weightsManifest
 * (a `sha256` list beside each group's `paths`), which the app checks before
 * using a shard (src/engine/models/shard-integrity.ts). The model scripts call
 * `withShardHashes` when they save; run this file to (re)hash the shipped models
 * without retraining or re-extracting them:
 *   npx tsx scripts/shard-hashes.ts [public/models/mnist public/models/inception-mixed5 …]
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function sha256HexSync(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Group {
  paths: string[];
  sha256?: string[];
}

/** `modelJson` with each group's `sha256` set from the shard bytes `readShard(path)` returns. */
export function withShardHashes<T extends { weightsManifest: Group[] }>(modelJson: T, readShard: (p: string) => Uint8Array): T {
  return {
    ...modelJson,
    weightsManifest: modelJson.weightsManifest.map((g) => ({ ...g, sha256: g.paths.map((p) => sha256HexSync(readShard(p))) })),
  };
}

/** Rehashes the model.json in `dir` in place; returns the digests written. */
export function hashModelFolder(dir: string): string[] {
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { weightsManifest: Group[] };
  const next = withShardHashes(json, (p) => readFileSync(path.join(dir, p)));
  writeFileSync(file, `${JSON.stringify(next)}\n`);
  return next.weightsManifest.flatMap((g) => g.sha256 ?? []);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'models');
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(root).map((d) => path.join(root, d));
  for (const dir of dirs) {
    const digests = hashModelFolder(dir);
    console.log(`${path.relative(process.cwd(), dir)}: ${digests.length} shard(s) hashed`);
  }
}
