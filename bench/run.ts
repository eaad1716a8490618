/**
 * `npm run bench [-- name ...]`: runs every benchmark module (or the named
 * ones), merges the objects they return into one JSON, writes it to
 * bench/results.json and prints it. A module that throws is recorded as
 * `<name>_error` and the others still run. Add modules to BENCHES.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dreamBench } from './dream-bench';
import { explainBench } from './explain-bench';
import { methodsBench } from './methods-bench';

/** Name → benchmark returning keys to merge into the results. */
export const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  explain: () => explainBench(),
  dream: () => dreamBench(),
  methods: () => methodsBench(),
};

async function run(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  for (const name of names) {
    try {
      Object.assign(results, await BENCHES[name]());
    } catch (err) {
      results[`${name}_error`] = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
  const json = JSON.stringify(results, null, 2);
  writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json'), `${json}\n`);
  console.log(json);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
