/**
 * Which tfjs backend each compute worker runs on, and the user's preference.
 * Plain data only; the workers report here through their clients.
 */
import { create } from 'zustand';
import { parseBackendPreference, type BackendInfo, type BackendPreference } from '../engine/backend-names';

/** The two worker lanes, by the panel that starts them: 'explain' the interactive lane (Explain, Compare), 'dream' the long lane (Dream, gallery, heatmaps, films). */
export type WorkerName = 'explain' | 'dream';

export interface RuntimeState {
  preference: BackendPreference;
  backends: Partial<Record<WorkerName, BackendInfo>>;
  setPreference: (preference: BackendPreference) => void;
  reportBackend: (worker: WorkerName, info: BackendInfo) => void;
}

/** The `?backend=` URL parameter (tests use it) seeds the preference. */
export function initialPreference(): BackendPreference {
  if (typeof location === 'undefined') return 'auto';
  return parseBackendPreference(new URLSearchParams(location.search).get('backend'));
}

export const useRuntimeStore = create<RuntimeState>()((set) => ({
  preference: initialPreference(),
  backends: {},
  setPreference: (preference) => set({ preference }),
  reportBackend: (worker, info) => set((s) => ({ backends: { ...s.backends, [worker]: info } })),
}));
