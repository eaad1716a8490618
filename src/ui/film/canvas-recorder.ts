/**
 * The fallback encoder where WebCodecs is missing: MediaRecorder on a canvas
 * stream. Each frame is drawn, the recorder runs for the frame's duration of
 * real time and pauses again, so the film's timing follows the frame rate
 * (approximately: MediaRecorder stamps frames with wall-clock time). Only the
 * compressed chunks are kept.
 */
import type { FilmRecorder } from '../../state/film-store';

const TYPES = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4'];

export function createCanvasRecorder(width: number, height: number): FilmRecorder | null {
  if (typeof MediaRecorder === 'undefined') return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx || typeof canvas.captureStream !== 'function') return null;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack | undefined;
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  if (!track || !mimeType) return null;
  const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 4_000_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => {
    if (e.data.size > 0) chunks.push(e.data);
  };
  const stopTracks = () => stream.getTracks().forEach((t) => t.stop());
  return {
    async add(bitmap, duration) {
      ctx.drawImage(bitmap, 0, 0, width, height);
      if (recorder.state === 'inactive') recorder.start();
      else recorder.resume();
      track.requestFrame();
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, duration * 1000)));
      recorder.pause();
    },
    finish() {
      return new Promise<Blob>((resolve) => {
        recorder.onstop = () => {
          stopTracks();
          resolve(new Blob(chunks, { type: mimeType }));
        };
        if (recorder.state === 'paused') recorder.resume();
        recorder.stop();
      });
    },
    cancel() {
      if (recorder.state !== 'inactive') recorder.stop();
      stopTracks();
    },
  };
}
