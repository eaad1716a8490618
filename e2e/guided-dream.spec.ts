import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { canvasFingerprint, dreamToEnd, tinyPhotoPng } from './helpers';

/** A 48×48 guide unlike the photo: blue and white diagonal stripes. */
function stripesPng(side = 48): Buffer {
  const png = new PNG({ width: side, height: side });
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 4;
      const on = Math.floor((x + y) / 6) % 2 === 0;
      png.data.set(on ? [20, 40, 230, 255] : [250, 250, 250, 255], i);
    }
  }
  return PNG.sync.write(png);
}

test('a guided dream: the guide’s thumbnail shows, the dream differs from the unguided one with the same seed, Clear removes it', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: tinyPhotoPng(64, 48) });
  await expect(page.getByTestId('photo-info')).toContainText('64');
  await page.getByTestId('seed-input').fill('3');

  await dreamToEnd(page, 1, 2);
  const unguided = await canvasFingerprint(page);

  await expect(page.getByTestId('guide-upload-button')).toBeVisible();
  await page.getByTestId('guide-upload').setInputFiles({ name: 'stripes.png', mimeType: 'image/png', buffer: stripesPng() });
  await expect(page.getByTestId('guide-info')).toContainText('stripes.png');
  await expect(page.getByTestId('guide-info')).toContainText('48×48');
  const thumb = page.getByTestId('guide-thumbnail');
  await expect(thumb).toBeVisible();
  // The thumbnail shows the guide: blue stripes on white.
  const colours = await thumb.evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let blue = 0;
    let white = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 2]! > 200 && d[i]! < 60) blue++;
      if (d[i]! > 240 && d[i + 1]! > 240) white++;
    }
    return { blue, white };
  });
  expect(colours.blue).toBeGreaterThan(100);
  expect(colours.white).toBeGreaterThan(100);

  // A bad guide file: the photo's message, the guide kept.
  await page.getByTestId('guide-upload').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('error-message')).toContainText('not an image');
  await expect(page.getByTestId('guide-info')).toContainText('stripes.png');

  await dreamToEnd(page, 1, 2);
  const guided = await canvasFingerprint(page);
  expect(guided).not.toBe(unguided);

  await page.getByTestId('guide-clear').click();
  await expect(page.getByTestId('guide-info')).toHaveCount(0);
  await expect(page.getByTestId('guide-none')).toBeVisible();
  // Without the guide, the same seed dreams the unguided picture again.
  await dreamToEnd(page, 1, 2);
  expect(await canvasFingerprint(page)).toBe(unguided);
});
