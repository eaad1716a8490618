/**
 * Peak memory of opening a 10000×10000 photo, before and after decoding at
 * the working size (src/ui/common/decode-image.ts). Each way runs in a fresh
 * headless Chromium; while it decodes, the proportional set size (PSS, so shared
 * pages count once) of every Chromium process this script started is summed
 * every 20 ms, and the peak above the idle baseline is reported.
 *   before: createImageBitmap(file) at full size, then a resized copy (the old code);
 *   after:  the new code's path: JPEG through WebCodecs' ImageDecoder with a size hint (decoded at a
 *           reduced DCT scale), other formats through createImageBitmap(file, { resizeWidth, resizeHeight }).
 * Run: npx tsx scripts/measure-decode-memory.ts [workingSide=512]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from '@playwright/test';
import { chromiumArgs } from '../playwright.config';
import { hugeBlackPng } from '../e2e/fixtures/bad-files';

const SIDE = 10_000;
const working = Number(process.argv[2] ?? 512);

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

async function measure(way: 'before' | 'after', file: { name: string; mimeType: string; buffer: Buffer }): Promise<{ baseline: number; peak: number; ms: number }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  try {
    const page = await browser.newPage();
    // A secure context (http://127.0.0.1), as the app is: WebCodecs' ImageDecoder needs one.
    await page.goto(pageUrl);
    await page.setInputFiles('#f', file);
    await page.waitForTimeout(1000);
    const baseline = totalMiB();
    let peak = baseline;
    const timer = setInterval(() => {
      peak = Math.max(peak, totalMiB());
    }, 20);
    const t0 = Date.now();
    const size = await page.evaluate(
      async ([w, side]) => {
        const file = (document.getElementById('f') as HTMLInputElement).files![0]!;
        const target = { resizeWidth: side!, resizeHeight: side!, resizeQuality: 'high' as const };
        let bitmap: ImageBitmap;
        if (w === 'after' && file.type === 'image/jpeg') {
          const decoder = new ImageDecoder({ data: file.stream(), type: file.type, desiredWidth: side, desiredHeight: side });
          const { image } = await decoder.decode();
          bitmap = await createImageBitmap(image, target);
          image.close();
          decoder.close();
        } else if (w === 'before') {
          const full = await createImageBitmap(file, { imageOrientation: 'from-image' });
          bitmap = await createImageBitmap(full, target);
          full.close();
        } else {
          bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', ...target });
        }
        // Use it once, as the app draws it.
        const c = new OffscreenCanvas(bitmap.width, bitmap.height);
        c.getContext('2d')!.drawImage(bitmap, 0, 0);
        const out = `${bitmap.width}×${bitmap.height}`;
        bitmap.close();
        return out;
      },
      [way, working] as const,
    );
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(timer);
    if (size !== `${working}×${working}`) throw new Error(`decoded ${size}`);
    return { baseline, peak, ms };
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
  for (const file of files) {
    for (const way of ['before', 'after'] as const) {
      const r = await measure(way, file);
      console.log(`${file.name.padEnd(9)} ${(file.buffer.length / 1048576).toFixed(1).padStart(5)} MB file  ${way.padEnd(6)}  +${(r.peak - r.baseline).toFixed(0).padStart(5)} MiB  (${r.ms} ms)`);
    }
  }
}

await main();
process.exit(0);
