/**
 * The suite lifecycle every stand-in-model test shares: CPU backend, a fresh
 * stand-in trunk before the suite, and after it the trunk disposed with the
 * tensor count back where it started.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DreamModel } from '../../models/dream-model';
import { standInDreamModel } from '../stand-in-model';

/** Call inside a `describe`; `receive` gets the suite's model before its first test. */
export function useStandInDreamModel(receive: (model: DreamModel) => void): void {
  let model: DreamModel | null = null;
  let start = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    start = tf.memory().numTensors;
    model = standInDreamModel();
    receive(model);
  });
  afterAll(() => {
    model?.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
}
