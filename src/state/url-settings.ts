/**
 * Settings that travel in the page's URL, so a link opens the same view
 * (`?rule=revealcancel&target=8&contrast=3&reference=blurred`). Only
 * settings: never the drawing, the photo or a reference captured from the
 * drawing, which stay on the device.
 *
 * A generic, store-agnostic registry. To add keys (e.g. the Dream panel's
 * layer, filter and dream settings), call `registerUrlSettings` once at
 * module load of your own `*-url-settings.ts`, with
 *   - `settings`: one `urlSetting({...})` per query parameter (use the codecs
 *     below, or your own `parse`/`format`); parameter names are unique app-wide,
 *     so prefix them when they could clash (`dream-steps`, not `steps`);
 *   - `subscribe`: how to hear that any of them changed (a zustand store's
 *     `subscribe` fits as it is).
 * Then `startUrlSettings()` (called once by the app) applies what the URL
 * says and keeps the URL in step with the stores, by `history.replaceState`
 * (no new history entries, no reload). Parameters nobody registered (e.g.
 * `?backend=`) are left as they are; a value equal to its default is left
 * out, so links stay short; an invalid value is ignored (the default stays).
 */

/** One setting that travels in the URL as `?param=value`. */
export interface UrlSetting<T> {
  param: string;
  /** The value of a URL string; undefined when it is not valid (then the URL's value is ignored). */
  parse: (raw: string) => T | undefined;
  format: (value: T) => string;
  /** The current value, from its store. */
  get: () => T;
  /** Applies a value read from the URL to its store. */
  set: (value: T) => void;
  /** Not written when the current value equals this. */
  defaultValue: T;
  /** Whether the current value may be shared at all (e.g. not a reference captured from the drawing). */
  isShareable?: (value: T) => boolean;
}

/** A setting of any value type, as the registry holds it; make one with `urlSetting`. */
export type AnyUrlSetting = UrlSetting<unknown>;

/** Type-checks one setting (its parse, format, get, set and default agree on T) and erases T for the registry. */
export function urlSetting<T>(setting: UrlSetting<T>): AnyUrlSetting {
  return setting as unknown as AnyUrlSetting;
}

interface Group {
  settings: AnyUrlSetting[];
  subscribe: (listener: () => void) => () => void;
}

const groups: Group[] = [];
let stops: (() => void)[] = [];

/** Adds settings to the URL (see the module comment). Returns a function that removes them again (tests). */
export function registerUrlSettings(settings: AnyUrlSetting[], subscribe: Group['subscribe']): () => void {
  const group: Group = { settings, subscribe };
  const params = new Set(groups.flatMap((g) => g.settings.map((s) => s.param)));
  for (const s of group.settings) {
    if (params.has(s.param)) throw new Error(`URL setting "${s.param}" is registered twice`);
  }
  groups.push(group);
  return () => {
    const i = groups.indexOf(group);
    if (i >= 0) groups.splice(i, 1);
  };
}

/** Applies the registered settings found in `search` (e.g. location.search) to their stores. */
export function applyUrlSettings(search: string): void {
  const query = new URLSearchParams(search);
  for (const s of groups.flatMap((g) => g.settings)) {
    const raw = query.get(s.param);
    if (raw === null) continue;
    const value = s.parse(raw);
    if (value !== undefined) s.set(value);
  }
}

/** `search` with every registered setting rewritten from the stores (others kept), e.g. "?backend=wasm&rule=revealcancel". */
export function urlSearchForSettings(search: string): string {
  const query = new URLSearchParams(search);
  for (const s of groups.flatMap((g) => g.settings)) {
    const value = s.get();
    const isDefault = s.format(value) === s.format(s.defaultValue);
    if (isDefault || (s.isShareable && !s.isShareable(value))) query.delete(s.param);
    else query.set(s.param, s.format(value));
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** `search` without any registered setting (others, such as `?backend=`, kept): where "start fresh" reloads to. */
export function urlSearchWithoutSettings(search: string): string {
  const query = new URLSearchParams(search);
  for (const s of groups.flatMap((g) => g.settings)) query.delete(s.param);
  const text = query.toString();
  return text ? `?${text}` : '';
}

function writeUrl(): void {
  const search = urlSearchForSettings(window.location.search);
  if (search !== window.location.search) {
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${search}${window.location.hash}`);
  }
}

/** Reads the URL into the stores once, then keeps the URL in step with them. Safe to call again (restarts). */
export function startUrlSettings(): () => void {
  stopUrlSettings();
  applyUrlSettings(window.location.search);
  writeUrl();
  stops = groups.map((g) => g.subscribe(writeUrl));
  return stopUrlSettings;
}

export function stopUrlSettings(): void {
  stops.forEach((stop) => stop());
  stops = [];
}

// Codecs for the usual kinds of setting.

/** One of a fixed list of strings. */
export function oneOf<T extends string>(values: readonly T[]): Pick<UrlSetting<T>, 'parse' | 'format'> {
  return { parse: (raw) => (values as readonly string[]).includes(raw) ? (raw as T) : undefined, format: (v) => v };
}

/** An integer in [min, max]; with `allowNone`, the empty string or "none" stands for null. */
export function integerIn(min: number, max: number): Pick<UrlSetting<number>, 'parse' | 'format'> {
  return {
    parse: (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
    },
    format: (v) => String(v),
  };
}

/** An integer in [min, max] or null (written as "none"). */
export function optionalIntegerIn(min: number, max: number): Pick<UrlSetting<number | null>, 'parse' | 'format'> {
  const int = integerIn(min, max);
  return { parse: (raw) => (raw === 'none' ? null : int.parse(raw)), format: (v) => (v === null ? 'none' : String(v)) };
}

/** A boolean as "1" / "0". */
export const flag: Pick<UrlSetting<boolean>, 'parse' | 'format'> = {
  parse: (raw) => (raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined),
  format: (v) => (v ? '1' : '0'),
};
