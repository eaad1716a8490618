import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../engine/backend-names';
import { slowThumbnailNotice } from './gallery-store';

const info = (name: BackendInfo['name'], isSoftwareGpu: boolean): BackendInfo => ({
  name, requested: name, fallbackReason: null, adapter: isSoftwareGpu ? 'google swiftshader' : null, isSoftwareGpu,
});

describe('filter gallery on slow backends', () => {
  it('draws no thumbnails on a software GPU or the pure-JS CPU backend, and says how to get them', () => {
    expect(slowThumbnailNotice(info('webgpu', true))).toMatch(/webgpu on a software GPU.*minutes.*wasm/);
    expect(slowThumbnailNotice(info('webgl', true))).toMatch(/webgl on a software GPU/);
    expect(slowThumbnailNotice(info('cpu', false))).toMatch(/cpu backend/);
  });

  it('draws them on WASM and on a hardware GPU', () => {
    expect(slowThumbnailNotice(info('wasm', false))).toBeNull();
    expect(slowThumbnailNotice(info('webgpu', false))).toBeNull();
    expect(slowThumbnailNotice(info('webgl', false))).toBeNull();
  });
});
