/**
 * Backend names and the `?backend=` parser, without importing tfjs, so the
 * main thread (which never runs tfjs) can use them without loading it.
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = BackendName | 'auto';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend tfjs is now running on. */
  name: BackendName;
  requested: BackendPreference;
  /** Why the first choice was not used; null when it was. */
  fallbackReason: string | null;
  /** GPU adapter or renderer description when known, e.g. "google swiftshader". */
  adapter: string | null;
  isSoftwareGpu: boolean;
}

export function parseBackendPreference(value: string | null | undefined): BackendPreference {
  const v = (value ?? '').trim().toLowerCase();
  return (BACKEND_ORDER as readonly string[]).includes(v) ? (v as BackendName) : 'auto';
}
