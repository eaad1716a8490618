import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FILM_SETTINGS, filmDreamParams, filmFilename, parseObjectives, resetFilmStore, useFilmStore, validateFilmSettings, type FilmSettings } from './film-store';
import { resetDreamStore, useDreamStore } from './dream-store';

const settings = (over: Partial<FilmSettings> = {}): FilmSettings => ({ ...DEFAULT_FILM_SETTINGS, ...over });

afterEach(() => {
  resetFilmStore();
  resetDreamStore();
});

describe('film settings', () => {
  it('accepts the defaults and names every bad value with what is allowed', () => {
    expect(validateFilmSettings(settings())).toEqual({});
    const errors = validateFilmSettings(settings({ frames: 0, zoom: 3, steps: 1.5, fps: NaN, side: 20, blend: 2, filter: 'x', objectives: 'mixed3, mixed9' }));
    expect(errors.frames).toMatch(/from 1 to 1800/);
    expect(errors.zoom).toMatch(/from 0.5 to 2/);
    expect(errors.steps).toMatch(/whole number/);
    expect(errors.fps).toMatch(/frames per second/);
    expect(errors.side).toMatch(/from 48 to 1024/);
    expect(errors.blend).toMatch(/from 0 to 1/);
    expect(errors.filter).toMatch(/channel number/);
    expect(errors.objectives).toMatch(/Unknown layer “mixed9”/);
    expect(validateFilmSettings(settings({ filter: '12', objectives: 'mixed3,mixed4' })).objectives).toMatch(/clear the filter/);
  });

  it('parses layer sequences written with commas, spaces or arrows', () => {
    expect(parseObjectives('mixed3 → mixed4, mixed5')).toEqual({ layers: ['mixed3', 'mixed4', 'mixed5'], error: null });
    expect(parseObjectives('  ')).toEqual({ layers: [], error: null });
    expect(parseObjectives('mixed4:17 → mixed4:300, mixed5')).toEqual({ layers: ['mixed4:17', 'mixed4:300', 'mixed5'], error: null });
    expect(parseObjectives('mixed4:768').error).toMatch(/mixed4 has filters 0 to 767/);
    expect(parseObjectives('mixed4:x').error).toMatch(/neither a layer nor a filter/);
    expect(parseObjectives('mixed9:1').error).toMatch(/Unknown layer “mixed9”/);
    expect(filmFilename('zoom', settings({ objectives: 'mixed4:17, mixed5' }), { width: 8, height: 8 }, 3, 'webm', 1)).toMatch(/film-mixed4f17-mixed5-/);
  });

  it('dreams each frame with the film’s layer, filter, steps and octaves and the Dream panel’s step size and seed', () => {
    useDreamStore.getState().setSetting('stepSize', 0.02);
    useDreamStore.getState().setSetting('seed', 9);
    const p = filmDreamParams(settings({ layer: 'mixed4', filter: '97', steps: 2, octaves: 1 }));
    expect(p).toMatchObject({ layers: [{ name: 'mixed4', weight: 1 }], channel: 97, steps: 2, octaves: 1, stepSize: 0.02, seed: 9, fromNoise: false });
  });

  it('names the file after the settings', () => {
    expect(filmFilename('zoom', settings({ zoom: 1.05, rotate: 2, fps: 12, steps: 3 }), { width: 256, height: 192 }, 24, 'webm', 1)).toBe(
      'dreamlift-film-mixed3-zoom1.05-rot2-12fps-24f-3steps-256x192-seed1.webm',
    );
    expect(filmFilename('clip', settings({ objectives: 'mixed3,mixed5', blend: 0.6, steps: 1 }), { width: 64, height: 48 }, 20, 'mp4', 4)).toBe(
      'dreamlift-film-mixed3-mixed5-clip-blend0.6-20f-1steps-64x48-seed4.mp4',
    );
  });

  it('refuses to start without a photo, with a message, and stays idle', async () => {
    await useFilmStore.getState().start();
    expect(useDreamStore.getState().error).toMatch(/Choose a photo/);
    expect(useFilmStore.getState().status).toBe('idle');
  });
});
