import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onCpuCheckingEachTestForLeaks } from './cpu-no-leaks.testing';
import { fftFrequency, fourierBasis, halfWidth, initialSpectrum, spectrumScale, spectrumToImage } from './fourier-image';

/** float64 transcription of numpy's irfft2 of scale·(re + i·im), parameters laid out [2h, 3·wf]. */
function irfft2Reference(params: Float32Array, scale: Float32Array, h: number, w: number): Float64Array {
  const wf = halfWidth(w);
  const out = new Float64Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let u = 0; u < h; u++) {
          for (let v = 0; v < wf; v++) {
            const k = (u * 3 + c) * wf + v;
            const re = params[k] * scale[k];
            const im = params[h * 3 * wf + k] * scale[h * 3 * wf + k];
            const a = 2 * Math.PI * (u * y / h + v * x / w);
            const weight = v === 0 || (w % 2 === 0 && v === w / 2) ? 1 : 2;
            sum += weight * (re * Math.cos(a) - im * Math.sin(a));
          }
        }
        out[(y * w + x) * 3 + c] = sum / (h * w);
      }
    }
  }
  return out;
}

describe('Fourier image parametrisation', () => {
  onCpuCheckingEachTestForLeaks();

  it('knows numpy-style frequencies and 1/f scaling', () => {
    expect([0, 1, 2, 3].map((k) => fftFrequency(k, 4))).toEqual([0, 0.25, -0.5, -0.25]);
    expect([0, 1, 2, 3, 4].map((k) => fftFrequency(k, 5))).toEqual([0, 0.2, 0.4, -0.4, -0.2]);
    const s = spectrumScale(4, 4, 1); // wf = 3
    // DC: floor 1/4 → 1/(1/4)·√16 = 16; (u=0, v=1): f = 1/4 → 16; (u=0, v=2): f = 1/2 → 8
    expect(s[0]).toBeCloseTo(16);
    expect(s[1]).toBeCloseTo(16);
    expect(s[2]).toBeCloseTo(8);
    // (u=1, v=1): f = √(1/16+1/16) → 4/√2·4
    expect(s[(1 * 3 + 0) * 3 + 1]).toBeCloseTo(16 / Math.SQRT2);
    // same scale for every colour
    expect(s[(1 * 3 + 2) * 3 + 1]).toBeCloseTo(s[(1 * 3 + 0) * 3 + 1]);
  });

  for (const [h, w] of [[4, 4], [5, 6], [6, 5]] as const) {
    it(`matches a float64 inverse real DFT (${h}×${w})`, () => {
      const basis = fourierBasis(h, w, 1);
      const params = initialSpectrum(basis, 3, 1);
      const image = spectrumToImage(params, basis);
      const expected = irfft2Reference(params.dataSync() as Float32Array, basis.scale.dataSync() as Float32Array, h, w);
      expect(image.shape).toEqual([h, w, 3]);
      const got = image.dataSync();
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 3);
      tf.dispose([params, image]);
      basis.dispose();
    });
  }

  it('a single coefficient gives the matching cosine wave, and gradients flow', () => {
    const h = 8;
    const w = 8;
    const basis = fourierBasis(h, w, 0); // decay 0: scale √(hw) = 8 everywhere
    const wf = halfWidth(w);
    const p = new Float32Array(2 * h * 3 * wf);
    p[(0 * 3 + 1) * wf + 2] = 1; // real part, u = 0, v = 2, green
    const params = tf.tensor2d(p, [2 * h, 3 * wf]);
    const image = spectrumToImage(params, basis);
    const data = image.dataSync();
    for (let x = 0; x < w; x++) {
      // irfft: 2·8·cos(2π·2x/8)/64
      expect(data[(3 * w + x) * 3 + 1]).toBeCloseTo((16 * Math.cos((2 * Math.PI * 2 * x) / 8)) / 64, 5);
      expect(data[(3 * w + x) * 3 + 0]).toBeCloseTo(0, 6);
    }
    const g = tf.grad((q: tf.Tensor) => tf.sum(spectrumToImage(q as tf.Tensor2D, basis)))(params);
    // Σ over the image of a wave is 0, of the DC term is h·w·scale/(h·w) = 8 per colour.
    const gd = g.dataSync();
    expect(gd[0]).toBeCloseTo(8, 4);
    expect(gd[2]).toBeCloseTo(0, 4);
    tf.dispose([params, image, g]);
    basis.dispose();
  });
});
