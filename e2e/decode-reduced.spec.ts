import { expect, test, type Page } from '@playwright/test';
import { rgbaPng, rgbJpeg, withExifOrientation } from './fixtures/bad-files';

/** RGBA of the dream canvas at a relative position. */
function canvasPixel(page: Page, fx: number, fy: number): Promise<number[]> {
  return page.getByTestId('dream-canvas').evaluate(
    (el, [x, y]) => {
      const c = el as HTMLCanvasElement;
      return Array.from(c.getContext('2d')!.getImageData(Math.floor(x! * c.width), Math.floor(y! * c.height), 1, 1).data);
    },
    [fx, fy],
  );
}

const near = (actual: number[], expected: number[], tolerance = 25) => expected.every((v, i) => Math.abs(actual[i]! - v) <= tolerance);

test('a large photo is decoded straight to the working size, EXIF rotation included', async ({ page }) => {
  await page.goto('/?backend=wasm');
  // The reduced JPEG decode (WebCodecs ImageDecoder with a size hint) is what runs here.
  expect(await page.evaluate(() => typeof ImageDecoder !== 'undefined' && ImageDecoder.isTypeSupported('image/jpeg'))).toBe(true);
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('128');
  // Stored 384×192 (left red, right blue), Orientation 6: shown 192×384 with red on top, scaled to 64×128.
  const file = withExifOrientation(rgbJpeg(384, 192, (x) => (x < 192 ? [230, 20, 20] : [20, 20, 230])), 6);
  await page.getByTestId('dream-upload').setInputFiles({ name: 'tall.jpg', mimeType: 'image/jpeg', buffer: file });
  const info = page.getByTestId('photo-info');
  await expect(info).toContainText('Scaled from 192×384 to 64×128');
  expect(near(await canvasPixel(page, 0.5, 0.2), [230, 20, 20, 255])).toBe(true);
  expect(near(await canvasPixel(page, 0.5, 0.8), [20, 20, 230, 255])).toBe(true);
});

test('a huge PNG is decoded by the streaming decoder in a worker, straight to the working size', async ({ page }) => {
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto('/?backend=wasm');
  await page.getByTestId('tab-dream').click();
  await page.getByTestId('max-side-select').selectOption('64');
  // 3000×2000 (6 MP, above the 4 MP threshold): left red, right half-transparent blue (composited on white).
  const file = rgbaPng(3000, 2000, (x) => (x < 1500 ? [230, 20, 20, 255] : [20, 20, 230, 128]));
  await page.getByTestId('dream-upload').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: file });
  await expect(page.getByTestId('photo-info')).toContainText('Scaled from 3000×2000 to 64×43');
  expect(workers.some((u) => /decode\.worker/.test(u)), `workers: ${workers.join(', ')}`).toBe(true);
  expect(near(await canvasPixel(page, 0.25, 0.5), [230, 20, 20, 255])).toBe(true);
  // 50 % blue over white.
  expect(near(await canvasPixel(page, 0.75, 0.5), [137, 137, 242, 255])).toBe(true);
});
