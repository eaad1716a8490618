/** Whether a new version of the app is installed and waiting; plain data and the action that switches to it. */
import { create } from 'zustand';

export interface AppUpdateState {
  isUpdateReady: boolean;
  /** Switches to the waiting version (the page reloads into it); null when none waits. */
  applyUpdate: (() => void) | null;
  /** Hides the prompt until the next visit (the new version is used then). */
  dismiss: () => void;
}

export const useAppUpdateStore = create<AppUpdateState>()((set) => ({
  isUpdateReady: false,
  applyUpdate: null,
  dismiss: () => set({ isUpdateReady: false }),
}));
