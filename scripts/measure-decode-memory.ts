/**
 * Peak memory of opening a 10000×10000 photo, before and after decoding at
 * the working size (src/ui/common/decode-image.ts). Each way runs in a fresh
 * headless Chromium; while it decodes, the proportional set size (PSS, so shared
 * pages count once) of every Chromium process this script started is summed
 * every 20 ms, and the peak above the idle baseline is reported.
 *   before: createImageBitmap(file) at full size, then a resized copy (the old code), in a bare page;
 *   decode only (JPEG): the new ImageDecoder call alone, in a bare page;
 *   after:  the built app itself (dist/, run `npx vite build` first), the file uploaded to the Explain
 *           panel (working size 560): JPEG through WebCodecs' ImageDecoder with a size hint, PNG through
 *           the streaming decoder in its worker.
 * Run: npx tsx scripts/measure-decode-memory.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { hugeBlackPng } from '../e2e/fixtures/bad-files';
import { serveDist } from '../e2e/static-server';

const SIDE = 10_000;
/** The Explain panel's upload size (use-upload.ts). */
const working = 560;

/** Pids of every process below `root`. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, p] of parent) if (p === pid) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const totalMiB = () => descendants(process.pid).reduce((s, pid) => s + pssKiB(pid), 0) / 1024;

async function makeJpeg(page: Page): Promise<string> {
  // Native encoder, in the page: a 10000×10000 noisy photo-like JPEG as a data URL would be huge, so return base64.
  return page.evaluate(async (side) => {
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d')!;
    const g = ctx.createLinearGradient(0, 0, side, side);
    g.addColorStop(0, '#204080');
    g.addColorStop(1, '#e0a040');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, side, side);
    for (let i = 0; i < 4000; i++) {
      ctx.fillStyle = `hsl(${(i * 37) % 360} 70% 50%)`;
      ctx.fillRect((i * 7919) % side, (i * 104729) % side, 150, 150);
    }
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, SIDE);
}

type TestFile = { name: string; mimeType: string; buffer: Buffer };

/** Samples the peak of totalMiB() while `run` goes on. */
async function peakDuring(run: () => Promise<void>): Promise<{ baseline: number; peak: number; ms: number }> {
  const baseline = totalMiB();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, totalMiB());
  }, 20);
  const t0 = Date.now();
  await run();
  const ms = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(timer);
  return { baseline, peak, ms };
}

/** The built app, decoding the upload its own way. */
async function measureApp(file: TestFile): Promise<{ baseline: number; peak: number; ms: number }> {
  const server = await serveDist();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    // No service worker: its precaching would add to the figures.
    const page = await (await browser.newContext({ serviceWorkers: 'block' })).newPage();
    await page.goto(`${server.url}/?backend=wasm`);
    await page.getByTestId('backend-badge').filter({ hasText: 'wasm' }).waitFor();
    await page.waitForTimeout(2000);
    return await peakDuring(async () => {
      await page.getByTestId('explain-upload').setInputFiles(file);
      // Black: refused as blank once decoded; the photo-like JPEG: predicted.
      await page.waitForFunction(() => {
        const s = window.__dreamlift!.explain();
        return s.error !== null || s.result !== null;
      }, undefined, { timeout: 120_000 });
    });
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function measure(way: 'before' | 'after' | 'decode only', file: TestFile): Promise<{ baseline: number; peak: number; ms: number }> {
  if (way === 'after') return measureApp(file);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    await page.setInputFiles('#f', file);
    await page.waitForTimeout(1000);
    return await peakDuring(async () => {
      const size = await page.evaluate(async ([w, side]) => {
        const file = (document.getElementById('f') as HTMLInputElement).files![0]!;
        const target = { resizeWidth: side!, resizeHeight: side!, resizeQuality: 'high' as const };
        let bitmap: ImageBitmap;
        if (w === 'before') {
          // The old decodeImageFile: the whole image, then a resized copy.
          const full = await createImageBitmap(file, { imageOrientation: 'from-image' });
          bitmap = await createImageBitmap(full, target);
          full.close();
        } else {
          // The new JPEG path alone (decodeJpegReduced), without the rest of the app.
          const decoder = new ImageDecoder({ data: file.stream(), type: 'image/jpeg', desiredWidth: side!, desiredHeight: side! });
          const { image } = await decoder.decode();
          bitmap = await createImageBitmap(image, target);
          image.close();
          decoder.close();
        }
        const c = new OffscreenCanvas(bitmap.width, bitmap.height);
        c.getContext('2d')!.drawImage(bitmap, 0, 0);
        bitmap.close();
        return `${c.width}×${c.height}`;
      }, [way, working] as const);
      if (size !== `${working}×${working}`) throw new Error(`decoded ${size}`);
    });
  } finally {
    await browser.close();
  }
}

let pageUrl = '';

async function main() {
  const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<input type="file" id="f">'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const maker = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const jpeg = Buffer.from(await makeJpeg(await maker.newPage()), 'base64');
  await maker.close();
  const files = [
    { name: 'huge.png', mimeType: 'image/png', buffer: hugeBlackPng(SIDE, SIDE) },
    { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: jpeg },
  ];
  console.log(`10000×10000 → ${working}×${working}; peak PSS of all Chromium processes above idle (MiB)`);
  if (process.env.NOISE) {
    for (const side of [64, 3000]) {
      const r = await measureApp({ name: 'small.png', mimeType: 'image/png', buffer: hugeBlackPng(side, side) });
      console.log(`app, ${side}×${side} black PNG: +${(r.peak - r.baseline).toFixed(0)} MiB`);
    }
  }
  for (const file of files) {
    for (const way of file.mimeType === 'image/jpeg' ? (['before', 'decode only', 'after'] as const) : (['before', 'after'] as const)) {
      const r = await measure(way, file);
      console.log(`${file.name.padEnd(9)} ${(file.buffer.length / 1048576).toFixed(1).padStart(5)} MB file  ${way.padEnd(11)}  +${(r.peak - r.baseline).toFixed(0).padStart(5)} MiB  (${r.ms} ms)`);
    }
  }
}

await main();
process.exit(0);
