/**
 * The Dream settings that a shared link carries (url-settings.ts): layer, filter, octaves,
 * steps, step size, octave scale, objective, seed and "from noise". The max side is left
 * out on purpose: its default depends on the device (512 px on a GPU, 256 on WASM), and a
 * link should not make a phone dream at a desktop GPU's size. Parameter names carry a
 * `dream-` prefix where they could clash with Explain's. A value the Dream panel would
 * refuse is ignored (the current value stays). Imported once for its effect by the app's
 * useUrlSettings.
 */
import { TRUNK_LAYERS } from '../engine/models/trunk-info';
import { DEFAULT_SETTINGS, LIMITS, useDreamStore, validateSettings, type DreamSettings } from './dream-store';
import { flag, integerIn, oneOf, registerUrlSettings, urlSetting, type UrlSetting } from './url-settings';

const dream = () => useDreamStore.getState();

/** A setting whose parsed value is accepted only if the Dream panel's own validation accepts it. */
function checked<K extends keyof DreamSettings>(key: K, parse: (raw: string) => DreamSettings[K] | undefined): UrlSetting<DreamSettings[K]>['parse'] {
  return (raw) => {
    const value = parse(raw);
    if (value === undefined) return undefined;
    return validateSettings({ ...dream().settings, [key]: value })[key] ? undefined : value;
  };
}

/** A finite decimal number in [min, max]. */
function decimalIn(min: number, max: number): Pick<UrlSetting<number>, 'parse' | 'format'> {
  return {
    parse: (raw) => {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? n : undefined;
    },
    format: (v) => String(v),
  };
}

function setting<K extends keyof DreamSettings>(
  param: string, key: K, codec: Pick<UrlSetting<DreamSettings[K]>, 'parse' | 'format'>,
) {
  return urlSetting<DreamSettings[K]>({
    param,
    parse: checked(key, codec.parse),
    format: codec.format,
    get: () => dream().settings[key],
    set: (value) => dream().setSetting(key, value),
    defaultValue: DEFAULT_SETTINGS[key],
  });
}

const filterCodec: Pick<UrlSetting<string>, 'parse' | 'format'> = {
  parse: (raw) => (/^(\d{1,4}|all|)$/.test(raw) ? raw : undefined),
  format: (v) => v,
};

export const unregisterDreamUrlSettings = registerUrlSettings(
  [
    // The layer before the filter: a filter number is checked against the layer's channel count.
    setting('layer', 'layer', oneOf<string>(TRUNK_LAYERS)),
    setting('filter', 'filter', filterCodec),
    setting('octaves', 'octaves', integerIn(LIMITS.octaves.min, LIMITS.octaves.max)),
    setting('dream-steps', 'steps', integerIn(LIMITS.steps.min, LIMITS.steps.max)),
    setting('step-size', 'stepSize', decimalIn(LIMITS.stepSize.min, LIMITS.stepSize.max)),
    setting('octave-scale', 'octaveScale', decimalIn(LIMITS.octaveScale.min, LIMITS.octaveScale.max)),
    setting('objective', 'objective', oneOf<DreamSettings['objective']>(['mean', 'l2'])),
    setting('seed', 'seed', integerIn(LIMITS.seed.min, LIMITS.seed.max)),
    setting('from-noise', 'fromNoise', flag),
  ],
  (listener) => useDreamStore.subscribe((s, prev) => s.settings !== prev.settings && listener()),
);
