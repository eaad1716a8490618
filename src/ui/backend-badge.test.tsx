import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend-names';
import { useRuntimeStore } from '../state/runtime-store';
import { BackendNotice, slowBackendNotice } from './backend-badge';

const info = (over: Partial<BackendInfo>): BackendInfo => ({
  name: 'webgpu',
  requested: 'auto',
  fallbackReason: null,
  adapter: null,
  isSoftwareGpu: false,
  ...over,
});

afterEach(() => useRuntimeStore.setState({ backends: {} }));

describe('the backend notice', () => {
  it('warns when a forced backend is known to be slow here, and suggests WASM', () => {
    const forced = slowBackendNotice(info({ requested: 'webgpu', isSoftwareGpu: true, adapter: 'google swiftshader' }));
    expect(forced).toMatch(/software GPU \(google swiftshader\)/);
    expect(forced).toMatch(/slower than WASM/);
    expect(forced).toMatch(/“wasm”/);
    expect(slowBackendNotice(info({ name: 'webgl', requested: 'webgl', isSoftwareGpu: true }))).toMatch(/software GPU/);
    expect(slowBackendNotice(info({ name: 'cpu', requested: 'cpu' }))).toMatch(/10× slower than WASM/);
  });

  it('says nothing for auto, a hardware GPU or WASM', () => {
    expect(slowBackendNotice(info({ requested: 'auto', isSoftwareGpu: true }))).toBeNull();
    expect(slowBackendNotice(info({ requested: 'webgpu', isSoftwareGpu: false }))).toBeNull();
    expect(slowBackendNotice(info({ name: 'wasm', requested: 'wasm' }))).toBeNull();
    expect(slowBackendNotice(undefined)).toBeNull();
  });

  it('the notice line shows it instead of going blank, and the fallback reason otherwise', () => {
    render(<BackendNotice />);
    expect(screen.getByTestId('backend-notice').textContent).toBe('\u00a0');
    act(() => useRuntimeStore.getState().reportBackend('explain', info({ requested: 'webgpu', isSoftwareGpu: true })));
    expect(screen.getByTestId('backend-notice')).toHaveTextContent(/far slower than WASM/);
    act(() => useRuntimeStore.getState().reportBackend('explain', info({ name: 'wasm', fallbackReason: 'the only WebGPU device is a software emulation' })));
    expect(screen.getByTestId('backend-notice')).toHaveTextContent('Using wasm: the only WebGPU device is a software emulation.');
  });
});
