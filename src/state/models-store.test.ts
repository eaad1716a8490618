import { describe, expect, it } from 'vitest';
import type { InputSpec } from '../engine/models/model-spec';
import { applyInputChanges, describeModelError, uniqueName } from './models-store';

const fixed: InputSpec = { height: 8, width: 8, channels: 3, scaling: 'unit', resize: 'crop', isDynamic: false };

describe('model catalogue logic', () => {
  it('a fixed model keeps its size; a dynamic one takes a clamped size; scaling and resize are free', () => {
    expect(applyInputChanges(fixed, { height: 32, scaling: 'imagenet', resize: 'fit' })).toEqual({ ...fixed, scaling: 'imagenet', resize: 'fit' });
    const dynamic = { ...fixed, isDynamic: true, height: 224, width: 224 };
    expect(applyInputChanges(dynamic, { height: 100.4, width: 5000 })).toMatchObject({ height: 100, width: 1024 });
    expect(applyInputChanges(dynamic, { height: 2, width: Number.NaN })).toMatchObject({ height: 8, width: 224 });
  });

  it('names are unique; model errors keep their message', () => {
    expect(uniqueName('net', ['a'])).toBe('net');
    expect(uniqueName('net', ['net', 'net (2)'])).toBe('net (3)');
    const bad = new Error('The weight file x.bin is missing');
    bad.name = 'BadModelError';
    expect(describeModelError(bad)).toBe('The weight file x.bin is missing');
    expect(describeModelError(new TypeError('boom'))).toBe('The model could not be loaded: boom');
    expect(describeModelError(new Error("Kernel 'Conv3D' not registered for backend 'wasm'"))).toBe(
      'The wasm backend lacks the Conv3D operation that explaining this model needs. Choose another backend (WebGPU, WebGL or CPU) in the header and load the model again.',
    );
  });
});
