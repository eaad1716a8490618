import { useEffect, useRef, useState } from 'react';
import { useDreamStore } from '../../state/dream-store';
import { registerRecorderFactory, setForceRecorder, useFilmStore } from '../../state/film-store';
import { MAX_CLIP_SECONDS } from '../../workers/film-protocol';
import { createCanvasRecorder } from './canvas-recorder';
import { FilmFields } from './film-fields';
import { FilmOutput } from './film-output';
import './film.css';

/** The Dream panel's Film section: a zoom film of the photo, or a dreamed clip, encoded in the browser. */
export function FilmSection() {
  const status = useFilmStore((s) => s.status);
  const start = useFilmStore((s) => s.start);
  const startClip = useFilmStore((s) => s.startClip);
  const cancel = useFilmStore((s) => s.cancel);
  const uploadRef = useRef<HTMLInputElement>(null);
  const isBusy = status === 'running' || status === 'stopping';
  const hasDream = useDreamStore((s) => s.hasResult);
  const [fromDream, setFromDream] = useState(false);

  const startZoom = async () => {
    // The last dream is what the Dream canvas shows; the bitmap is made off the main thread.
    const canvas = fromDream && hasDream ? document.querySelector<HTMLCanvasElement>('[data-testid="dream-canvas"]') : null;
    void start(canvas ? await createImageBitmap(canvas) : undefined);
  };

  useEffect(() => {
    setForceRecorder(new URLSearchParams(window.location.search).get('film-encoder') === 'mediarecorder');
    return registerRecorderFactory((width, height) => createCanvasRecorder(width, height));
  }, []);

  return (
    <section className="film" aria-labelledby="film-heading">
      <h2 id="film-heading" className="dream-heading">
        Film
      </h2>
      <p className="muted film-intro">
        A zoom film: each frame is the last one zoomed a little and dreamt again. Or dream a short clip (WebM or MP4, up to {MAX_CLIP_SECONDS} s) frame by frame.
      </p>
      <FilmFields isBusy={isBusy} />
      <label className="film-from-dream">
        <input type="checkbox" data-testid="film-from-dream" checked={fromDream && hasDream} disabled={isBusy || !hasDream} onChange={(e) => setFromDream(e.target.checked)} />
        Start from the last dream instead of the photo
      </label>
      <div className="film-buttons">
        <button type="button" className="btn btn-primary" data-testid="film-start" disabled={isBusy} onClick={() => void startZoom()}>
          Make a zoom film
        </button>
        <label className={`btn${isBusy ? ' is-disabled' : ''}`}>
          Dream a clip…
          <input
            ref={uploadRef}
            type="file"
            className="visually-hidden"
            accept="video/webm,video/mp4,video/*"
            data-testid="film-upload"
            disabled={isBusy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (uploadRef.current) uploadRef.current.value = '';
              if (file) void startClip(file);
            }}
          />
        </label>
        <button type="button" className="btn" data-testid="film-cancel" disabled={status !== 'running'} onClick={cancel}>
          Stop (keep frames)
        </button>
      </div>
      <FilmOutput />
    </section>
  );
}
