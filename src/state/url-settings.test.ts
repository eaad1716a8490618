import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetCompareStore, useCompareStore } from './compare-store';
import { resetExplainStore, useExplainStore } from './explain-store';
import './explain-url-settings';
import { applyUrlSettings, integerIn, oneOf, registerUrlSettings, startUrlSettings, stopUrlSettings, urlSearchForSettings, urlSearchWithoutSettings, urlSetting } from './url-settings';

describe('url settings', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));
  afterEach(() => {
    stopUrlSettings();
    resetExplainStore();
    resetCompareStore();
    window.history.replaceState(null, '', '/');
  });

  it('opens the view a link describes, ignoring invalid values and keeping other parameters', () => {
    window.history.replaceState(null, '', '/?backend=wasm&rule=revealcancel&target=8&contrast=3&reference=blurred&view=side&softmax=1&compare-scale=shared&bogus=1');
    startUrlSettings();
    expect(useExplainStore.getState().settings).toMatchObject({ rule: 'revealcancel', target: 8, contrast: 3, reference: 'blurred', view: 'side', softmaxNormalize: true });
    expect(useCompareStore.getState().settings.scale).toBe('shared');
    expect(new URLSearchParams(window.location.search).get('backend')).toBe('wasm');
    applyUrlSettings('?rule=nonsense&target=12&reference=custom');
    expect(useExplainStore.getState().settings).toMatchObject({ rule: 'revealcancel', target: 8, reference: 'blurred' });
  });

  it('keeps the URL in step with the settings; defaults and a captured reference are left out, never pixels', () => {
    startUrlSettings();
    expect(window.location.search).toBe('');
    useExplainStore.getState().updateSettings({ rule: 'revealcancel', target: 4, contrast: 9 });
    expect(window.location.search).toBe('?rule=revealcancel&target=4&contrast=9');
    useExplainStore.setState({ pixels: new Float32Array(784).fill(1) });
    useExplainStore.getState().captureReference();
    expect(useExplainStore.getState().settings.reference).toBe('custom');
    expect(window.location.search).not.toContain('reference');
    useExplainStore.getState().updateSettings({ target: null, contrast: null, rule: 'rescale' });
    expect(window.location.search).toBe('');
    expect(window.location.href.length).toBeLessThan(100);
  });

  it('lets another panel add its keys, and refuses a parameter registered twice', () => {
    let layer = 'mixed3';
    let steps = 10;
    const listeners = new Set<() => void>();
    const remove = registerUrlSettings(
      [
        urlSetting({ param: 'layer', ...oneOf(['mixed3', 'mixed5']), get: () => layer, set: (v) => (layer = v), defaultValue: 'mixed3' }),
        urlSetting({ param: 'dream-steps', ...integerIn(1, 50), get: () => steps, set: (v) => (steps = v), defaultValue: 10 }),
      ],
      (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    );
    try {
      applyUrlSettings('?layer=mixed5&dream-steps=3');
      expect([layer, steps]).toEqual(['mixed5', 3]);
      expect(urlSearchForSettings('')).toBe('?layer=mixed5&dream-steps=3');
      // Start fresh drops every registered setting and keeps the rest.
      expect(urlSearchWithoutSettings('?backend=wasm&layer=mixed5&dream-steps=3')).toBe('?backend=wasm');
      expect(urlSearchWithoutSettings('?layer=mixed5')).toBe('');
      expect(() => registerUrlSettings([urlSetting({ param: 'layer', ...oneOf(['a']), get: () => 'a', set: () => undefined, defaultValue: 'a' })], () => () => undefined)).toThrow(/twice/);
    } finally {
      remove();
    }
    expect(urlSearchForSettings('?layer=mixed5')).toBe('?layer=mixed5');
  });
});
