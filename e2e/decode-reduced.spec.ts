import { expect, test, type Page } from '@playwright/test';
import { rgbJpeg, withExifOrientation } from './fixtures/bad-files';

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
