import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { zoomStep, zoomTransform, zoomedPoint, type ZoomMotion } from './zoom';

const motion = (over: Partial<ZoomMotion>): ZoomMotion => ({ zoom: 1, rotateDeg: 0, driftX: 0, driftY: 0, ...over });

/** [1, h, w, 1] with a single 1 at (x, y). */
function impulse(w: number, h: number, x: number, y: number): tf.Tensor4D {
  const data = new Float32Array(w * h);
  data[y * w + x] = 1;
  return tf.tensor4d(data, [1, h, w, 1]);
}

async function brightest(t: tf.Tensor4D): Promise<{ x: number; y: number; value: number }> {
  const [, , w] = t.shape;
  const data = await t.data();
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  return { x: best % w, y: Math.floor(best / w), value: data[best] };
}

describe('zoomStep', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('moves a known point away from the centre by the zoom factor, and interpolates between', async () => {
    const start = tf.memory().numTensors;
    // 9×9, centre (4, 4); the point (6, 4) is 2 px right of it, so zoom 2 puts it at (8, 4).
    const img = impulse(9, 9, 6, 4);
    const out = zoomStep(img, motion({ zoom: 2 }));
    expect(await brightest(out)).toEqual({ x: 8, y: 4, value: 1 });
    const data = await out.data();
    // (7, 4) samples the source at (5.5, 4): half way between 0 and the impulse.
    expect(data[4 * 9 + 7]).toBeCloseTo(0.5, 6);
    expect(data[4 * 9 + 6]).toBeCloseTo(0, 6);
    expect(zoomedPoint(6, 4, 9, 9, motion({ zoom: 2 }))).toEqual({ x: 8, y: 4 });
    tf.dispose([img, out]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('keeps the centre fixed and reproduces a linear ramp exactly (x → c + (x − c)/zoom)', async () => {
    const w = 16;
    const h = 10;
    const ramp = tf.tidy(() => tf.tile(tf.range(0, w, 1, 'float32').reshape([1, 1, w, 1]), [1, h, 1, 1]) as tf.Tensor4D);
    const z = 1.25;
    const out = zoomStep(ramp, motion({ zoom: z }));
    const data = await out.data();
    const c = (w - 1) / 2;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(data[y * w + x]).toBeCloseTo(c + (x - c) / z, 4);
    tf.dispose([ramp, out]);
  });

  it('rotates clockwise on screen by the angle and drifts the view', async () => {
    const img = impulse(9, 9, 6, 4);
    // 90° clockwise about (4, 4): 2 px right becomes 2 px down.
    const turned = zoomStep(img, motion({ rotateDeg: 90 }));
    expect(await brightest(turned)).toMatchObject({ x: 4, y: 6 });
    expect((await brightest(turned)).value).toBeCloseTo(1, 5);
    // A view drifting 2 px right moves the picture 2 px left.
    const drifted = zoomStep(img, motion({ driftX: 2 }));
    expect(await brightest(drifted)).toEqual({ x: 4, y: 4, value: 1 });
    const p = zoomedPoint(6, 4, 9, 9, motion({ rotateDeg: 90, zoom: 1.5 }));
    expect(p.x).toBeCloseTo(4, 10);
    expect(p.y).toBeCloseTo(7, 10);
    tf.dispose([img, turned, drifted]);
  });

  it('has a transform whose inverse is the forward point map', () => {
    const m = motion({ zoom: 1.07, rotateDeg: 13, driftX: 1.5, driftY: -0.5 });
    const [a0, a1, a2, b0, b1, b2] = zoomTransform(31, 17, m);
    for (const [x, y] of [[0, 0], [30, 16], [7.25, 3.5]]) {
      const q = { x: a0 * x + a1 * y + a2, y: b0 * x + b1 * y + b2 };
      const back = zoomedPoint(q.x, q.y, 31, 17, m);
      expect(back.x).toBeCloseTo(x, 9);
      expect(back.y).toBeCloseTo(y, 9);
    }
  });

  it('rejects a zoom that is not positive', () => {
    expect(() => zoomTransform(8, 8, motion({ zoom: 0 }))).toThrow(/positive/);
  });
});
