/**
 * The import rules of STYLE.md, checked on the source text: imports flow
 * ui → state → workers → engine, the engine knows nothing of React, the DOM
 * or workers, and the main thread (ui, state, worker clients) never imports
 * tfjs, which would also put it in the main bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Non-type imports of a file: [specifier, resolved folder under src or null]. */
function runtimeImports(file: string): { spec: string; layer: string | null }[] {
  const text = readFileSync(file, 'utf8');
  const found: { spec: string; layer: string | null }[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
    const spec = m[1]!;
    const resolved = spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : null;
    found.push({ spec, layer: resolved ? resolved.split(path.sep)[0]! : null });
  }
  return found;
}

const rel = (f: string) => path.relative(SRC, f);

describe('architecture', () => {
  it('the engine imports nothing from ui, state or workers, and no React', () => {
    const offenders = sourceFiles(path.join(SRC, 'engine')).flatMap((f) =>
      runtimeImports(f)
        .filter((i) => ['ui', 'state', 'workers'].includes(i.layer ?? '') || /^react/.test(i.spec) || i.spec === 'comlink')
        .map((i) => `${rel(f)} → ${i.spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the engine uses no DOM or worker globals', () => {
    const offenders = sourceFiles(path.join(SRC, 'engine')).filter((f) =>
      /\b(document|window|self|postMessage|importScripts)\s*[.(]/.test(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')),
    );
    expect(offenders.map(rel)).toEqual([]);
  });

  it('state does not import ui, and workers import neither ui nor state', () => {
    const offenders = [
      ...sourceFiles(path.join(SRC, 'state')).flatMap((f) => runtimeImports(f).filter((i) => i.layer === 'ui').map((i) => `${rel(f)} → ${i.spec}`)),
      ...sourceFiles(path.join(SRC, 'workers')).flatMap((f) =>
        runtimeImports(f).filter((i) => i.layer === 'ui' || i.layer === 'state').map((i) => `${rel(f)} → ${i.spec}`),
      ),
    ];
    expect(offenders).toEqual([]);
  });

  it('no main-thread module loads tfjs (ui, state, worker clients and protocols, and what they import)', () => {
    const seen = new Set<string>();
    const tfjsPaths: string[] = [];
    const resolveFile = (base: string): string | null => {
      for (const candidate of [base, `${base}.ts`, `${base}.tsx`]) {
        try {
          if (readFileSync(candidate) && /\.tsx?$/.test(candidate)) return candidate;
        } catch {
          // not this one
        }
      }
      return null;
    };
    const visit = (file: string, chain: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of runtimeImports(file)) {
        if (i.spec.startsWith('@tensorflow/')) tfjsPaths.push([...chain, rel(file), i.spec].join(' → '));
        if (!i.spec.startsWith('.')) continue;
        if (/\.worker(\.ts)?(\?worker)?$/.test(i.spec)) continue; // a worker entry is a separate bundle
        const next = resolveFile(path.resolve(path.dirname(file), i.spec));
        if (next) visit(next, [...chain, rel(file)]);
      }
    };
    visit(path.join(SRC, 'main.tsx'), []);
    expect(seen.size).toBeGreaterThan(20);
    expect(tfjsPaths).toEqual([]);
  });
});
