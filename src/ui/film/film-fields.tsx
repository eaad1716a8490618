import { useMemo } from 'react';
import { DREAM_LAYERS } from '../../engine/dream/params';
import { useDreamStore } from '../../state/dream-store';
import { FILM_LIMITS, useFilmStore, validateFilmSettings } from '../../state/film-store';
import { NumberField } from '../dream/number-field';

/** The film's settings: frames, motion, steps, fps, size, layer/filter, objective sequence, clip blend. */
export function FilmFields({ isBusy }: { isBusy: boolean }) {
  const s = useFilmStore((st) => st.settings);
  const set = useFilmStore((st) => st.setSetting);
  const errors = useMemo(() => validateFilmSettings(s), [s]);
  // Dream may be on the user's own model; films keep the built-in trunk and say so.
  const otherModel = useDreamStore((st) => (st.userModel && st.settings.modelId === st.userModel.id ? st.userModel.name : null));
  const L = FILM_LIMITS;
  return (
    <fieldset className="dream-fields film-fields" disabled={isBusy}>
      <NumberField id="film-frames" testId="film-frames" label="Frames" value={s.frames} onChange={(v) => set('frames', v)} {...L.frames} step={1} error={errors.frames} />
      <NumberField id="film-zoom" testId="film-zoom" label="Zoom per frame" value={s.zoom} onChange={(v) => set('zoom', v)} {...L.zoom} step={0.01} error={errors.zoom} hint="1.05 = 5 % closer each frame" />
      <NumberField id="film-rotate" testId="film-rotate" label="Rotation per frame (°)" value={s.rotate} onChange={(v) => set('rotate', v)} {...L.rotate} step={0.5} error={errors.rotate} />
      <NumberField id="film-drift-x" testId="film-drift-x" label="Drift right per frame (px)" value={s.driftX} onChange={(v) => set('driftX', v)} {...L.driftX} step={0.5} error={errors.driftX} />
      <NumberField id="film-drift-y" testId="film-drift-y" label="Drift down per frame (px)" value={s.driftY} onChange={(v) => set('driftY', v)} {...L.driftY} step={0.5} error={errors.driftY} />
      <NumberField id="film-steps" testId="film-steps" label="Steps per frame" value={s.steps} onChange={(v) => set('steps', v)} {...L.steps} step={1} error={errors.steps} />
      <NumberField id="film-octaves" testId="film-octaves" label="Octaves per frame" value={s.octaves} onChange={(v) => set('octaves', v)} {...L.octaves} step={1} error={errors.octaves} />
      <NumberField id="film-fps" testId="film-fps" label="Frames per second" value={s.fps} onChange={(v) => set('fps', v)} {...L.fps} step={1} error={errors.fps} />
      <NumberField id="film-side" testId="film-side" label="Output size (px)" value={s.side} onChange={(v) => set('side', v)} {...L.side} step={2} error={errors.side} hint="longest side" />
      {otherModel ? <p className="muted section-note" data-testid="film-model-note">Films are made with InceptionV3, so its layers are listed here, not those of {otherModel}.</p> : null}
      <div className="dream-field">
        <label htmlFor="film-layer">Layer</label>
        <div className="dream-field-body">
          <select id="film-layer" data-testid="film-layer" value={s.layer} onChange={(e) => set('layer', e.target.value)}>
            {DREAM_LAYERS.map((l) => (
              <option key={l.name} value={l.name}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="dream-field">
        <label htmlFor="film-filter">Filter</label>
        <div className="dream-field-body">
          <input id="film-filter" data-testid="film-filter" value={s.filter} placeholder="all" onChange={(e) => set('filter', e.target.value)} aria-invalid={errors.filter ? true : undefined} />
          {errors.filter ? <span className="dream-field-error">{errors.filter}</span> : null}
        </div>
      </div>
      <div className="dream-field">
        <label htmlFor="film-objectives">Sequence</label>
        <div className="dream-field-body">
          <input id="film-objectives" data-testid="film-objectives" value={s.objectives} placeholder="e.g. mixed3, mixed4:17, mixed5" onChange={(e) => set('objectives', e.target.value)} aria-invalid={errors.objectives ? true : undefined} />
          <span className="dream-hint muted">optional: layers, or filters as layer:number, blended smoothly from the first frame to the last</span>
          {errors.objectives ? <span className="dream-field-error">{errors.objectives}</span> : null}
        </div>
      </div>
      <div className="dream-field">
        <label htmlFor="film-gif">Animated GIF</label>
        <div className="dream-field-body">
          <input id="film-gif" type="checkbox" data-testid="film-gif" checked={s.gif} onChange={(e) => set('gif', e.target.checked)} />
          <span className="dream-hint muted">also make a GIF (short loops, up to 300 frames)</span>
        </div>
      </div>
      <NumberField id="film-blend" testId="film-blend" label="Clip detail blend" value={s.blend} onChange={(v) => set('blend', v)} {...L.blend} step={0.05} error={errors.blend} hint="0 = each frame alone (flickers), 1 = keep the previous frame’s motifs" />
    </fieldset>
  );
}
