import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendInfo } from '../engine/backend';
import type { DreamClient } from '../workers/dream-client';
import type { ExplainClient } from '../workers/explain-client';
import { resetDreamStore, setDreamClient, useDreamStore } from './dream-store';
import { resetExplainStore, setExplainClient, useExplainStore } from './explain-store';
import { isAfterGpuLoss, tryWebGpuAgain } from './gpu-retry';
import { useRuntimeStore } from './runtime-store';

const WEBGPU: BackendInfo = { name: 'webgpu', requested: 'webgpu', fallbackReason: null, adapter: 'swiftshader', isSoftwareGpu: true };
const AFTER_LOSS: BackendInfo = { name: 'wasm', requested: 'webgpu', fallbackReason: 'the WebGPU device was lost (destroyed)', adapter: null, isSoftwareGpu: false };

function explainClient() {
  return {
    init: vi.fn(async () => WEBGPU),
    explain: vi.fn(async () => ({ predicted: 3 }) as never),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
    retryGpu: vi.fn(),
  } satisfies ExplainClient;
}

function dreamClient() {
  return {
    init: vi.fn(async () => WEBGPU),
    loadModel: vi.fn(async () => ({ layerNames: ['mixed3'] })),
    run: vi.fn(),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
    retryGpu: vi.fn(),
  } satisfies DreamClient;
}

afterEach(() => {
  setExplainClient(null);
  setDreamClient(null);
  resetExplainStore();
  resetDreamStore();
  useRuntimeStore.setState({ backends: {} });
});

describe('Try WebGPU again', () => {
  it('recognises a fallback caused by a lost device, and only that', () => {
    expect(isAfterGpuLoss(AFTER_LOSS)).toBe(true);
    expect(isAfterGpuLoss(WEBGPU)).toBe(false);
    expect(isAfterGpuLoss({ ...AFTER_LOSS, fallbackReason: 'WebGPU is not available in this browser' })).toBe(false);
    expect(isAfterGpuLoss(undefined)).toBe(false);
  });

  it('restarts only the worker that lost its device, explains the drawing again, and the badge follows', async () => {
    const explain = explainClient();
    const dream = dreamClient();
    setExplainClient(explain);
    setDreamClient(dream);
    useExplainStore.setState({ pixels: new Float32Array(784).fill(0.5) });
    useRuntimeStore.setState({ backends: { explain: AFTER_LOSS, dream: WEBGPU } });
    await tryWebGpuAgain();
    expect(explain.retryGpu).toHaveBeenCalledTimes(1);
    expect(dream.retryGpu).not.toHaveBeenCalled();
    expect(useRuntimeStore.getState().backends.explain).toEqual(WEBGPU);
    expect(explain.explain).toHaveBeenCalledTimes(1);
  });

  it('the Dream worker reloads its model on WebGPU when it had one loaded', async () => {
    const dream = dreamClient();
    setDreamClient(dream);
    useDreamStore.setState({ model: 'ready' });
    useRuntimeStore.setState({ backends: { dream: AFTER_LOSS } });
    await tryWebGpuAgain();
    expect(dream.retryGpu).toHaveBeenCalledTimes(1);
    expect(dream.loadModel).toHaveBeenCalledTimes(1);
    expect(useDreamStore.getState().model).toBe('ready');
    expect(useRuntimeStore.getState().backends.dream).toEqual(WEBGPU);
  });
});
