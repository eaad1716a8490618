/**
 * Backend selection: WebGPU → WebGL → WASM → CPU (DESIGN.md, "Architecture").
 *
 * A software-emulated GPU (WebGPU's fallback adapter, SwiftShader, llvmpipe) is
 * far slower than WASM on the same CPU (one Deep Dream step at 96×96: 5.7 s on
 * WebGPU/SwiftShader, 0.2 s on WASM), so in `auto` mode a software GPU is
 * skipped in favour of WASM and the reason is reported. A forced backend
 * (`?backend=webgpu`) is honoured even when the GPU is software, which is what
 * the end-to-end tests use to exercise the real WebGPU path.
 *
 * Framework-free: the caller passes in the environment (the WebGPU entry point,
 * WASM file locations), so this runs in workers, Node and tests alike. The
 * backends themselves must already be registered by importing their packages.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendInfo, type BackendName, type BackendPreference } from './backend-names';

export { BACKEND_ORDER, parseBackendPreference } from './backend-names';
export type { BackendInfo, BackendName, BackendPreference } from './backend-names';

/** Thrown when no backend at all could be started (not even CPU). */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

export interface BackendEnvironment {
  /** navigator.gpu where it exists. */
  gpu?: GPU | null;
  /** Whether WebGL may be tried (needs a canvas or OffscreenCanvas). */
  hasWebGl?: boolean;
  /** Probe the WebGL renderer string (e.g. from an OffscreenCanvas), null when unknown. */
  webGlRenderer?: () => string | null;
}

const SOFTWARE_GPU = /swiftshader|llvmpipe|software|basic render|softpipe/i;

interface Probe {
  ok: boolean;
  reason: string | null;
  adapter: string | null;
  isSoftware: boolean;
}

async function probeWebGpu(env: BackendEnvironment): Promise<Probe> {
  if (!env.gpu) return { ok: false, reason: 'WebGPU is not available in this browser', adapter: null, isSoftware: false };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await env.gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: `WebGPU adapter request failed: ${String(e)}`, adapter: null, isSoftware: false };
  }
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter was found', adapter: null, isSoftware: false };
  const info = adapter.info as GPUAdapterInfo | undefined;
  const description = info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : '';
  const isFallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const isSoftware = isFallback || SOFTWARE_GPU.test(description);
  return { ok: true, reason: null, adapter: description || null, isSoftware };
}

function probeWebGl(env: BackendEnvironment): Probe {
  if (!env.hasWebGl) return { ok: false, reason: 'WebGL is not available here', adapter: null, isSoftware: false };
  const renderer = env.webGlRenderer?.() ?? null;
  return { ok: true, reason: null, adapter: renderer, isSoftware: renderer !== null && SOFTWARE_GPU.test(renderer) };
}

async function trySet(name: BackendName): Promise<string | null> {
  try {
    if (tf.findBackendFactory(name) === null && tf.findBackend(name) === null) {
      return `the ${name} backend is not registered`;
    }
    const ok = await tf.setBackend(name);
    if (!ok) return `the ${name} backend failed to start`;
    await tf.ready();
    return null;
  } catch (e) {
    return `the ${name} backend failed to start: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Starts the preferred backend, falling back along WebGPU → WebGL → WASM → CPU.
 * In `auto` mode a software GPU is skipped for WASM. Returns what was chosen and why.
 */
export async function initBackend(preference: BackendPreference, env: BackendEnvironment = {}): Promise<BackendInfo> {
  const reasons: string[] = [];
  const start = preference === 'auto' ? 0 : BACKEND_ORDER.indexOf(preference);
  let adapter: string | null = null;
  let isSoftwareGpu = false;

  for (let i = start; i < BACKEND_ORDER.length; i++) {
    const name = BACKEND_ORDER[i]!;
    const forced = preference === name;
    if (name === 'webgpu' || name === 'webgl') {
      const probe = name === 'webgpu' ? await probeWebGpu(env) : probeWebGl(env);
      if (!probe.ok) {
        reasons.push(probe.reason ?? `${name} unavailable`);
        continue;
      }
      if (probe.isSoftware && !forced) {
        reasons.push(
          `the only ${name === 'webgpu' ? 'WebGPU' : 'WebGL'} device is a software emulation (${probe.adapter ?? 'software'}), ` +
            'which is much slower than WASM on this CPU',
        );
        // The WebGL renderer of a machine with a software WebGPU adapter is the same software.
        if (name === 'webgpu') i++;
        continue;
      }
      adapter = probe.adapter;
      isSoftwareGpu = probe.isSoftware;
    }
    const failure = await trySet(name);
    if (failure === null) {
      return {
        name,
        requested: preference,
        fallbackReason: reasons.length > 0 ? reasons.join('; ') : null,
        adapter: name === 'webgpu' || name === 'webgl' ? adapter : null,
        isSoftwareGpu: name === 'webgpu' || name === 'webgl' ? isSoftwareGpu : false,
      };
    }
    reasons.push(failure);
  }
  throw new BackendUnavailableError(`No tfjs backend could start: ${reasons.join('; ')}`);
}
