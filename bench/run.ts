/**
 * `npm run bench [-- name ...]`: runs every benchmark module (or the named
 * ones, whose keys then replace those in the existing results), merges the
 * objects they return into one JSON, writes it to bench/results.json with a
 * markdown summary in bench/summary.md, and prints it. A module that throws
 * is recorded as `<name>_error` and the others still run. Add modules to BENCHES.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dreamBench } from './dream-bench';
import { explainBench } from './explain-bench';
import { filmBench, filmBrowserBench } from './film-bench';
import { browserBench } from './browser-bench';
import { methodsBench } from './methods-bench';
import { summaryMarkdown } from './summary';

/** Name → benchmark returning keys to merge into the results. */
export const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  explain: () => explainBench(),
  dream: () => dreamBench(),
  methods: () => methodsBench(),
  browser: () => browserBench(),
  film: async () => ({ ...(await filmBench()), ...(await filmBrowserBench()) }),
};

async function run(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const resultsPath = path.join(dir, 'results.json');
  // A partial run updates the last full results instead of dropping the other benchmarks' figures.
  const previous = wanted.length > 0 && existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  const results: Record<string, unknown> = { ...previous, date: new Date().toISOString(), node: process.version };
  for (const name of names) {
    try {
      Object.assign(results, await BENCHES[name]());
      delete results[`${name}_error`];
    } catch (err) {
      results[`${name}_error`] = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
  const json = JSON.stringify(results, null, 2);
  writeFileSync(resultsPath, `${json}\n`);
  writeFileSync(path.join(dir, 'summary.md'), summaryMarkdown(results));
  console.log(json);
}

run().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
