import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, parseBackendPreference } from './backend';

function fakeGpu(description: string, isFallbackAdapter = false): GPU {
  return {
    requestAdapter: async () =>
      ({ info: { vendor: 'google', architecture: description, description: '' }, isFallbackAdapter }) as unknown as GPUAdapter,
  } as unknown as GPU;
}

describe('initBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('parses the ?backend= parameter, defaulting to auto', () => {
    expect(parseBackendPreference('WebGPU')).toBe('webgpu');
    expect(parseBackendPreference('wasm')).toBe('wasm');
    expect(parseBackendPreference('cuda')).toBe('auto');
    expect(parseBackendPreference(null)).toBe('auto');
  });

  it('falls back past a missing WebGPU and WebGL to WASM, saying why', async () => {
    const info = await initBackend('auto', { gpu: null, hasWebGl: false });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.fallbackReason).toMatch(/WebGPU is not available/);
    expect(info.fallbackReason).toMatch(/WebGL is not available/);
  });

  it('prefers WASM over a software WebGPU adapter in auto mode', async () => {
    const info = await initBackend('auto', { gpu: fakeGpu('swiftshader'), hasWebGl: true, webGlRenderer: () => 'SwiftShader' });
    expect(info.name).toBe('wasm');
    expect(info.fallbackReason).toMatch(/software emulation \(google swiftshader\)/);
  });

  it('treats a fallback adapter as software even without a telling name', async () => {
    const info = await initBackend('auto', { gpu: fakeGpu('', true), hasWebGl: false });
    expect(info.name).toBe('wasm');
    expect(info.fallbackReason).toMatch(/software emulation/);
  });

  it('honours a forced backend and reports no fallback', async () => {
    const info = await initBackend('cpu', {});
    expect(info).toMatchObject({ name: 'cpu', requested: 'cpu', fallbackReason: null });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back when a forced GPU backend cannot start', async () => {
    const info = await initBackend('webgpu', { gpu: null, hasWebGl: false });
    expect(info.name).toBe('wasm');
    expect(info.requested).toBe('webgpu');
    expect(info.fallbackReason).toMatch(/WebGPU/);
  });
});
