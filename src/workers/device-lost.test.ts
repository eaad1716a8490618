import { describe, expect, it } from 'vitest';
import { DeviceLostError, isDeviceLostError, type BackendStartOptions } from './device-lost';
import { createExplainClient } from './explain-client';
import type { ExplainApi, ExplainParams, ExplainResult } from './explain-protocol';
import { fakeWorker, type FakeWorker } from './testing/fake-worker';
import { withDevice, type DeviceWatch } from './worker-faults';

/** A device watch driven by the test: `lose(reason)` loses the device. */
function testWatch(): DeviceWatch & { lose(reason: string): void } {
  let reason: string | null = null;
  let announce: (r: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (announce = resolve));
  return {
    lostReason: () => reason,
    whenLost: () => lost,
    hasDevice: () => true,
    lose(r) {
      reason = r;
      announce(r);
    },
  };
}

describe('withDevice', () => {
  it('passes results and errors through while the device is fine (or there is no watch)', async () => {
    expect(await withDevice(testWatch(), async () => 3)).toBe(3);
    expect(await withDevice(undefined, async () => 4)).toBe(4);
    await expect(withDevice(testWatch(), async () => Promise.reject(new RangeError('bad')))).rejects.toThrow(RangeError);
  });

  it('turns any request that overlaps a loss into DeviceLostError', async () => {
    const before = testWatch();
    before.lose('destroyed');
    let ran = false;
    await expect(withDevice(before, async () => (ran = true))).rejects.toThrow(DeviceLostError);
    expect(ran).toBe(false); // lost before: the work never starts

    const during = testWatch();
    const garbage = withDevice(during, async () => {
      during.lose('destroyed');
      return 'garbage';
    });
    await expect(garbage).rejects.toMatchObject({ name: 'DeviceLostError', message: 'The GPU device was lost (destroyed)' });

    // A readback that never settles after the loss: the request fails at once all the same.
    const hanging = testWatch();
    const stuck = withDevice(hanging, () => new Promise<never>(() => undefined));
    setTimeout(() => hanging.lose('GPU process crashed'), 5);
    await expect(stuck).rejects.toSatisfy(isDeviceLostError);

    // The failing readback comes first (as an AbortError); the loss is announced a little later.
    const late = testWatch();
    const failing = withDevice(late, async () => {
      setTimeout(() => late.lose('destroyed'), 50);
      throw Object.assign(new Error('mapAsync: device destroyed'), { name: 'AbortError' });
    });
    await expect(failing).rejects.toSatisfy(isDeviceLostError);
  });
});

const params: ExplainParams = { rule: 'rescale', target: null, contrast: null, softmaxNormalize: false, reference: { kind: 'black' } };

describe('explain client after a lost GPU device', () => {
  it('ends the worker and starts the next one with WebGPU skipped, giving the reason', async () => {
    const inits: (BackendStartOptions | undefined)[] = [];
    const workers: FakeWorker[] = [];
    const client = createExplainClient(() => {
      const first = workers.length === 0;
      const api: ExplainApi = {
        async init(preference, options) {
          inits.push(options);
          const name = options?.gpuLost ? 'wasm' : 'webgpu';
          return { name, requested: preference, fallbackReason: options?.gpuLost ?? null, adapter: null, isSoftwareGpu: false };
        },
        async explain() {
          if (first) throw new DeviceLostError('The GPU device was lost (destroyed)');
          return { predicted: 7 } as unknown as ExplainResult;
        },
        cancel() {},
        async memory() {
          return { numTensors: 0, numBytes: 0, numDataBuffers: 0, backend: first ? 'webgpu' : 'wasm', modelLoadMs: null };
        },
      };
      const w = fakeWorker(api);
      workers.push(w);
      return w as unknown as Worker;
    });
    try {
      expect((await client.init('webgpu')).name).toBe('webgpu');
      await expect(client.explain(new Float32Array(784), params, { preference: 'webgpu' })).rejects.toSatisfy(isDeviceLostError);
      const result = await client.explain(new Float32Array(784), params, { preference: 'webgpu' });
      expect(result.predicted).toBe(7);
      expect(workers).toHaveLength(2);
      expect(inits).toEqual([{ gpuLost: null }, { gpuLost: 'The GPU device was lost (destroyed)' }]);
      const info = await client.init('webgpu');
      expect(info.name).toBe('wasm');
      expect(info.fallbackReason).toMatch(/lost/);
    } finally {
      client.terminate();
      workers.forEach((w) => w.terminate());
    }
  });
});
