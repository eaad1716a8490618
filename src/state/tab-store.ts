/** Which panel (tab) is shown; its own store so the session can keep it. Plain data only. */
import { create } from 'zustand';

export interface TabState {
  /** A tab id as the app lists them ('explain', 'dream', …). */
  tab: string;
  setTab: (tab: string) => void;
}

export const useTabStore = create<TabState>()((set) => ({
  tab: 'explain',
  setTab: (tab) => set({ tab }),
}));
