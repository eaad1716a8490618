import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import type { DreamClient } from '../workers/dream-client';
import { DeviceLostError } from '../workers/device-lost';
import { resetDreamStore, setDreamClient, useDreamStore } from './dream-store';
import { useRuntimeStore } from './runtime-store';

const WEBGPU: BackendInfo = { name: 'webgpu', requested: 'webgpu', fallbackReason: null, adapter: 'swiftshader', isSoftwareGpu: true };
const WASM: BackendInfo = { name: 'wasm', requested: 'webgpu', fallbackReason: 'the WebGPU device was lost (destroyed)', adapter: null, isSoftwareGpu: false };

function modelLoadError(): Error {
  const e = new Error('cannot load the Deep Dream model: HTTP 404');
  e.name = 'ModelLoadError';
  return e;
}

/** A client on WebGPU whose first run loses the device; afterwards it reports WASM. */
function clientLosingDevice(options: { failLoads?: number } = {}) {
  let lost = false;
  let failLoads = options.failLoads ?? 0;
  const client = {
    init: vi.fn(async () => (lost ? WASM : WEBGPU)),
    loadModel: vi.fn(async () => {
      if (failLoads-- > 0) throw modelLoadError();
      return { layerNames: ['mixed3'] };
    }),
    run: vi.fn(async () => {
      lost = true;
      throw new DeviceLostError('The GPU device was lost (destroyed)');
    }),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
  } satisfies DreamClient;
  return client;
}

describe('dream store faults', () => {
  afterEach(() => {
    setDreamClient(null);
    resetDreamStore();
    useRuntimeStore.setState({ backends: {} });
  });

  it('a lost GPU device: says so, keeps photo and settings, and starts the next backend at once', async () => {
    const client = clientLosingDevice();
    setDreamClient(client);
    useDreamStore.getState().setSetting('fromNoise', true);
    useDreamStore.getState().setSetting('steps', 7);
    await useDreamStore.getState().start();
    const state = useDreamStore.getState();
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/^The GPU device was lost \(destroyed\)\. Switching to the next backend/);
    expect(state.settings.steps).toBe(7);
    await vi.waitFor(() => expect(useRuntimeStore.getState().backends.dream?.name).toBe('wasm'));
    expect(client.init).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(useDreamStore.getState().model).toBe('ready'));
    // The message stays until the user acts: the run did fail.
    expect(useDreamStore.getState().error).toMatch(/GPU device was lost/);
  });

  it('retryModel clears a model load failure and loads again', async () => {
    const client = clientLosingDevice({ failLoads: 1 });
    setDreamClient(client);
    await useDreamStore.getState().prepare();
    expect(useDreamStore.getState().model).toBe('error');
    expect(useDreamStore.getState().error).toMatch(/could not be loaded/);
    await useDreamStore.getState().retryModel();
    expect(useDreamStore.getState().model).toBe('ready');
    expect(useDreamStore.getState().error).toBeNull();
    expect(client.loadModel).toHaveBeenCalledTimes(2);
  });
});
