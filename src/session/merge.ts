/**
 * Restoring settings from storage, which is not trusted (an older version of
 * the app wrote it, or it was damaged): only the keys the defaults have, each
 * only when its type fits; everything else falls back to the default.
 */

function fits(stored: unknown, fallback: unknown): boolean {
  if (stored === null || fallback === null) {
    // Nullable number fields (a target class or none): null or a finite number.
    return stored === null || (typeof stored === 'number' && Number.isFinite(stored));
  }
  if (typeof fallback === 'number') return typeof stored === 'number' && Number.isFinite(stored);
  return typeof stored === typeof fallback;
}

/** `defaults` overlaid with the fitting keys of `stored`. */
export function mergeSettings<T extends object>(defaults: T, stored: unknown): T {
  if (typeof stored !== 'object' || stored === null) return { ...defaults };
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    const value = (stored as Record<string, unknown>)[key];
    if (value !== undefined && fits(value, (defaults as Record<string, unknown>)[key])) out[key] = value;
  }
  return out as T;
}
