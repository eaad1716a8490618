/**
 * DeepLIFT references for the MNIST model (Shrikumar et al. 2017, §3.2: the
 * reference is the input that contributions are measured against). The paper's
 * MNIST experiments use an all-black image; the app also offers uniform grey,
 * a blurred copy of the input and a drawing of the user's own. Pure TypeScript.
 */
import { gaussianBlur } from './blur';
import { MNIST_PIXELS, MNIST_SIDE } from './mnist-preprocess';

export type ReferenceSpec =
  | { kind: 'black' }
  | { kind: 'grey'; value: number }
  | { kind: 'blurred'; sigma: number }
  /** `pixels01`: Float32Array(784) in [0, 1], light on dark. */
  | { kind: 'custom'; pixels01: Float32Array };

export type ReferenceKind = ReferenceSpec['kind'];

/** Default blur for the "blurred input" reference: wide enough to erase the strokes, not the digit's position. */
export const REFERENCE_BLUR_SIGMA = 3;
export const REFERENCE_GREY = 0.5;

/** The reference image for `input01` (Float32Array(784) in [0, 1]) as a new Float32Array(784) in [0, 1]. */
export function referencePixels(spec: ReferenceSpec, input01: Float32Array): Float32Array {
  if (input01.length !== MNIST_PIXELS) throw new RangeError(`referencePixels: input has ${input01.length} values, expected ${MNIST_PIXELS}`);
  switch (spec.kind) {
    case 'black':
      return new Float32Array(MNIST_PIXELS);
    case 'grey':
      return new Float32Array(MNIST_PIXELS).fill(Math.min(1, Math.max(0, spec.value)));
    case 'blurred':
      return gaussianBlur(input01, MNIST_SIDE, MNIST_SIDE, spec.sigma);
    case 'custom':
      if (spec.pixels01.length !== MNIST_PIXELS) {
        throw new RangeError(`referencePixels: custom reference has ${spec.pixels01.length} values, expected ${MNIST_PIXELS}`);
      }
      return spec.pixels01.slice();
  }
}
