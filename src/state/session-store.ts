/** Whether this session is being saved on the device, and the notice when it is not. Plain data only. */
import { create } from 'zustand';

/**
 * starting: reading the stored session; saved: kept in IndexedDB;
 * memory: storage unavailable, the app works in memory only; failed: the last write failed (full…);
 * elsewhere: another tab of the app saves the session, this one takes over when that tab closes.
 */
export type SessionStatus = 'starting' | 'saved' | 'memory' | 'failed' | 'elsewhere';

export interface SessionState {
  status: SessionStatus;
  /** What the user should know (null when all is well). */
  notice: string | null;
  /** Slices whose stored value could not be used at start (dropped). */
  dropped: string[];
  dismissNotice: () => void;
}

export const useSessionStore = create<SessionState>()((set) => ({
  status: 'starting',
  notice: null,
  dropped: [],
  dismissNotice: () => set({ notice: null }),
}));
