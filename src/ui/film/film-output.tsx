import { useEffect, useRef } from 'react';
import { registerFilmFrameSink, useFilmStore } from '../../state/film-store';
import { formatDuration, formatTimeLeft } from '../dream/dream-progress';

/** Progress (frames done, left, time left), the live preview canvas, and the finished film with its download. */
export function FilmOutput() {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const status = useFilmStore((s) => s.status);
  const progress = useFilmStore((s) => s.progress);
  const output = useFilmStore((s) => s.output);
  const notice = useFilmStore((s) => s.notice);

  useEffect(
    () =>
      registerFilmFrameSink((frame) => {
        const canvas = canvasRef.current;
        if (canvas) {
          if (canvas.width !== frame.width || canvas.height !== frame.height) {
            canvas.width = frame.width;
            canvas.height = frame.height;
          }
          canvas.getContext('2d')?.drawImage(frame.bitmap, 0, 0);
        }
        frame.bitmap.close();
      }),
    [],
  );

  const isRunning = status === 'running' || status === 'stopping';
  let text = '';
  if (progress && isRunning) {
    const total = progress.total || null;
    const left = total === null ? null : total - progress.done;
    const eta = progress.etaMs === null ? (progress.done === 0 ? 'starting…' : 'estimating time left…') : formatTimeLeft(progress.etaMs);
    text = `${status === 'stopping' ? 'Stopping after this frame · ' : ''}Frame ${progress.done}${total ? ` of ${total}` : ''} done${left !== null ? ` · ${left} left` : ''} · ${eta}`;
  } else if (output) {
    text = `${output.cancelled ? 'Stopped: ' : 'Done: '}${output.frames} frame${output.frames === 1 ? '' : 's'}, ${output.duration.toFixed(2)} s of film, ${output.width}×${output.height}, made in ${formatDuration(progress?.elapsedMs ?? 0)}`;
  }

  return (
    <div className="film-output">
      {notice ? (
        <p className="film-notice" data-testid="film-notice" role="status">
          {notice}
        </p>
      ) : null}
      <p className="film-progress" data-testid="film-progress" aria-live="polite">
        {text}
      </p>
      <div className="film-screens">
        <canvas ref={canvasRef} className="film-canvas" data-testid="film-canvas" width={64} height={64} hidden={!isRunning} role="img" aria-label="The film's latest frame" />
        {output ? <video className="film-video" data-testid="film-video" src={output.url} controls loop muted playsInline hidden={isRunning} aria-label="The film" /> : null}
      </div>
      {output ? (
        <p className="film-actions">
          <a className="btn btn-primary" data-testid="film-download" href={output.url} download={output.filename}>
            Download film
          </a>
          {output.gif ? (
            <a className="btn" data-testid="film-download-gif" href={output.gif.url} download={output.gif.filename}>
              Download GIF ({(output.gif.bytes / 1024).toFixed(0)} kB)
            </a>
          ) : null}
          <span className="muted">
            {output.filename} · {(output.bytes / 1024).toFixed(0)} kB · {output.encoder === 'webcodecs' ? output.mimeType : `MediaRecorder (${output.mimeType})`}
          </span>
        </p>
      ) : null}
    </div>
  );
}
