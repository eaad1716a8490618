import { useEffect, useState, type RefObject } from 'react';

/**
 * Whether the tab panel around `ref` is shown (its `hidden` attribute is off).
 * Outside a tab panel (tests) it is always true. Used so document-wide
 * shortcuts (paste, Ctrl+Z) act only on the visible panel.
 */
export function usePanelVisible(ref: RefObject<HTMLElement | null>): boolean {
  const [isVisible, setIsVisible] = useState(true);
  useEffect(() => {
    const panel = ref.current?.closest('[role="tabpanel"]');
    if (!panel) return;
    const update = () => setIsVisible(!panel.hasAttribute('hidden'));
    update();
    const observer = new MutationObserver(update);
    observer.observe(panel, { attributes: true, attributeFilter: ['hidden'] });
    return () => observer.disconnect();
  }, [ref]);
  return isVisible;
}
