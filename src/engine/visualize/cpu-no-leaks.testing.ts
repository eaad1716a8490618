/** Test set-up for this folder: CPU backend, and every test leaves tf.memory().numTensors where it found it. */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';

export function onCpuCheckingEachTestForLeaks(): void {
  let start = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  beforeEach(() => {
    start = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(start);
  });
}
