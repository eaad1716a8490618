import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import './dream-url-settings';
import { DEFAULT_SETTINGS, resetDreamStore, useDreamStore } from './dream-store';
import { startUrlSettings, stopUrlSettings } from './url-settings';

describe('dream settings in the URL', () => {
  beforeEach(() => window.history.replaceState(null, '', '/'));
  afterEach(() => {
    stopUrlSettings();
    resetDreamStore();
    window.history.replaceState(null, '', '/');
  });

  it('opens the dream a link describes; values the panel would refuse are ignored', () => {
    window.history.replaceState(null, '', '/?layer=mixed4&filter=139&octaves=3&dream-steps=5&step-size=0.02&octave-scale=1.3&objective=l2&seed=7&from-noise=1');
    startUrlSettings();
    expect(useDreamStore.getState().settings).toMatchObject({
      layer: 'mixed4', filter: '139', octaves: 3, steps: 5, stepSize: 0.02, octaveScale: 1.3, objective: 'l2', seed: 7, fromNoise: true,
    });
    stopUrlSettings();
    resetDreamStore();
    // mixed0 has 256 channels: filter 300 is refused, so is a layer past mixed5 and 0 octaves.
    window.history.replaceState(null, '', '/?layer=mixed0&filter=300&octaves=0&dream-steps=abc');
    startUrlSettings();
    const { settings } = useDreamStore.getState();
    expect(settings.layer).toBe('mixed0');
    expect(settings.filter).toBe(DEFAULT_SETTINGS.filter);
    expect(settings.octaves).toBe(DEFAULT_SETTINGS.octaves);
    expect(settings.steps).toBe(DEFAULT_SETTINGS.steps);
  });

  it('keeps the URL in step with the Dream settings, leaving defaults and the max side out', () => {
    startUrlSettings();
    expect(window.location.search).toBe('');
    useDreamStore.getState().setSetting('layer', 'mixed5');
    useDreamStore.getState().setSetting('filter', '12');
    useDreamStore.getState().setSetting('maxSide', 128);
    expect(window.location.search).toBe('?layer=mixed5&filter=12');
    useDreamStore.getState().setSetting('layer', DEFAULT_SETTINGS.layer);
    useDreamStore.getState().setSetting('filter', DEFAULT_SETTINGS.filter);
    expect(window.location.search).toBe('');
  });
});
