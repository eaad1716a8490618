/**
 * Draws the app's install icons (PNG) for the web app manifest: an eye of
 * concentric rings, blue to violet, on the app's dark background. Made in code
 * (pngjs), so they can be redrawn at any size:
 *   npx tsx scripts/make-icons.ts   → public/icons/icon-192.png, icon-512.png, icon-maskable-512.png
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const BG = [0x0f, 0x11, 0x17];
const BLUE = [0x7a, 0xa2, 0xff];
const VIOLET = [0xc7, 0x92, 0xea];
const SAMPLES = 4;

/** Colour at (u, v) in [-1, 1]² (radius 1 = the icon's edge); `safe` shrinks the art into a maskable icon's safe zone. */
function shade(u: number, v: number, safe: number): number[] {
  const r = Math.hypot(u, v) / safe;
  const t = Math.min(1, Math.max(0, (u + v + 2) / 4));
  const ink = BLUE.map((b, i) => Math.round(b + (VIOLET[i]! - b) * t));
  // Rings of the "dream": outer ring, iris ring, pupil.
  if ((r > 0.78 && r < 0.9) || (r > 0.46 && r < 0.58) || r < 0.2) return ink;
  return BG;
}

export function drawIcon(size: number, maskable: boolean): Buffer {
  const png = new PNG({ width: size, height: size });
  const safe = maskable ? 0.8 : 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0];
      // Supersampled for smooth edges.
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const u = ((x + (sx + 0.5) / SAMPLES) / size) * 2 - 1;
          const v = ((y + (sy + 0.5) / SAMPLES) / size) * 2 - 1;
          const c = shade(u, v, safe);
          for (let i = 0; i < 3; i++) sum[i]! += c[i]!;
        }
      }
      const o = (y * size + x) * 4;
      for (let i = 0; i < 3; i++) png.data[o + i] = Math.round(sum[i]! / (SAMPLES * SAMPLES));
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'icon-192.png'), drawIcon(192, false));
  writeFileSync(path.join(dir, 'icon-512.png'), drawIcon(512, false));
  writeFileSync(path.join(dir, 'icon-maskable-512.png'), drawIcon(512, true));
  console.log(`icons written to ${path.relative(process.cwd(), dir)}`);
}
