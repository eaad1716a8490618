/**
 * Worker-side tfjs runtime shared by every compute worker: registers the
 * backends, tells the WASM backend where its files are (served from our own
 * origin by Vite), and starts the preferred backend once, lazily.
 */
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { initBackend, type BackendInfo, type BackendPreference } from '../engine/backend';
import type { BackendStartOptions } from './device-lost';
import { watchDevice } from './worker-faults';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});

function webGlRenderer(): string | null {
  try {
    const canvas = new OffscreenCanvas(1, 1);
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof renderer === 'string' ? renderer : null;
  } catch {
    return null;
  }
}

function hasWebGl(): boolean {
  try {
    return typeof OffscreenCanvas !== 'undefined' && webGlRenderer() !== null;
  } catch {
    return false;
  }
}

let started: Promise<BackendInfo> | null = null;
let startedWith: string | null = null;

/** The probe's reason when navigator.gpu is withheld (initBackend words it so); replaced by the loss's. */
const NO_WEBGPU_REASON = 'WebGPU is not available in this browser';

/**
 * Starts (once per preference) the backend of this worker. After a GPU device
 * loss (`options.gpuLost`) WebGPU is skipped and the loss is given as the reason.
 */
export function startBackend(preference: BackendPreference, options: BackendStartOptions = {}): Promise<BackendInfo> {
  const gpuLost = options.gpuLost ?? null;
  const key = `${preference}|${gpuLost ?? ''}`;
  if (started && startedWith === key) return started;
  startedWith = key;
  const gpu = typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : null;
  started = initBackend(preference, {
    gpu: gpuLost === null ? gpu : null,
    hasWebGl: hasWebGl(),
    webGlRenderer,
  }).then((info) => {
    if (info.name === 'webgpu') watchDevice();
    if (gpuLost === null) return info;
    const others = (info.fallbackReason ?? '').split('; ').filter((r) => r !== '' && r !== NO_WEBGPU_REASON);
    const lost = gpuLost.replace(/^The GPU device was lost/, 'the WebGPU device was lost');
    return { ...info, fallbackReason: [lost, ...others].join('; ') };
  });
  started.catch(() => {
    started = null;
    startedWith = null;
  });
  return started;
}
