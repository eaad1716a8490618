/**
 * The Explain and Compare settings that a shared link carries (url-settings.ts):
 * rule, target, contrast, reference, softmax normalisation, heatmap view and
 * the Compare colour scale. A reference captured from the drawing ("custom")
 * is the drawing itself, so it is never written; a link never holds pixels.
 * Imported once for its effect by the app's useUrlSettings.
 */
import { DEFAULT_COMPARE_SETTINGS, useCompareStore, type ScaleMode } from './compare-store';
import { DEFAULT_SETTINGS, useExplainStore, type HeatmapView, type ReferenceChoice } from './explain-store';
import { flag, oneOf, optionalIntegerIn, registerUrlSettings, urlSetting } from './url-settings';
import type { ExplainRule } from '../workers/explain-protocol';

const explain = () => useExplainStore.getState();
const update = (changes: Parameters<ReturnType<typeof explain>['updateSettings']>[0]) => explain().updateSettings(changes);

export const unregisterExplainUrlSettings = registerUrlSettings(
  [
    urlSetting({ param: 'rule', ...oneOf<ExplainRule>(['rescale', 'revealcancel']), get: () => explain().settings.rule, set: (rule) => update({ rule }), defaultValue: DEFAULT_SETTINGS.rule }),
    urlSetting({ param: 'target', ...optionalIntegerIn(0, 9), get: () => explain().settings.target, set: (target) => update({ target }), defaultValue: DEFAULT_SETTINGS.target }),
    urlSetting({ param: 'contrast', ...optionalIntegerIn(0, 9), get: () => explain().settings.contrast, set: (contrast) => update({ contrast }), defaultValue: DEFAULT_SETTINGS.contrast }),
    urlSetting({
      param: 'reference', ...oneOf<ReferenceChoice>(['black', 'grey', 'blurred']),
      get: () => explain().settings.reference, set: (reference) => update({ reference }), defaultValue: DEFAULT_SETTINGS.reference,
      isShareable: (reference) => reference !== 'custom',
    }),
    urlSetting({ param: 'softmax', ...flag, get: () => explain().settings.softmaxNormalize, set: (softmaxNormalize) => update({ softmaxNormalize }), defaultValue: DEFAULT_SETTINGS.softmaxNormalize }),
    urlSetting({ param: 'view', ...oneOf<HeatmapView>(['overlay', 'side']), get: () => explain().settings.view, set: (view) => update({ view }), defaultValue: DEFAULT_SETTINGS.view }),
    urlSetting({
      param: 'compare-scale', ...oneOf<ScaleMode>(['shared', 'per-map']),
      get: () => useCompareStore.getState().settings.scale, set: (scale) => useCompareStore.getState().updateSettings({ scale }),
      defaultValue: DEFAULT_COMPARE_SETTINGS.scale,
    }),
  ],
  (listener) => {
    const a = useExplainStore.subscribe((s, prev) => s.settings !== prev.settings && listener());
    const b = useCompareStore.subscribe((s, prev) => s.settings !== prev.settings && listener());
    return () => {
      a();
      b();
    };
  },
);
