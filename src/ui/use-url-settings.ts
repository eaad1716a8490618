import { useEffect } from 'react';
import '../state/dream-url-settings';
import '../state/explain-url-settings';
import { startUrlSettings } from '../state/url-settings';

/**
 * Applies the settings in the page's URL and keeps the URL in step, so the
 * address bar is always a shareable link to this view (settings only, never
 * the drawing or photo). Panels add their keys by importing their
 * `*-url-settings.ts` module here (see src/state/url-settings.ts).
 */
export function useUrlSettings(): void {
  useEffect(() => startUrlSettings(), []);
}
