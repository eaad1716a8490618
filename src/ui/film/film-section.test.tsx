import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetDreamStore, useDreamStore } from '../../state/dream-store';
import { resetFilmStore, setFilmClient } from '../../state/film-store';
import type { FilmClient, FilmFrame, FilmRunOptions } from '../../workers/film-client';
import type { FilmResult, ZoomFilmSettings } from '../../workers/film-protocol';
import { FilmSection } from './film-section';

const fakeBitmap = (width: number, height: number) => ({ width, height, close: vi.fn() }) as unknown as ImageBitmap;

function stubFilmClient() {
  const calls: { settings: ZoomFilmSettings; options: FilmRunOptions; resolve: (r: FilmResult) => void }[] = [];
  const client: FilmClient = {
    capabilities: async () => ({ webCodecs: true, codec: 'vp9' }),
    film: (_photo, settings, options = {}) => new Promise<FilmResult>((resolve) => calls.push({ settings, options, resolve })),
    clip: async () => {
      throw Object.assign(new Error('The clip is too long (25.0 s); the limit is 20 s. Please trim it.'), { name: 'BadClipError' });
    },
  };
  setFilmClient(client);
  return calls;
}

const result = (frames: number, cancelled = false): FilmResult => ({
  jobId: 1,
  frames,
  width: 64,
  height: 48,
  duration: frames / 12,
  elapsedMs: 900,
  cancelled,
  video: { bytes: new ArrayBuffer(16), mimeType: 'video/webm; codecs="vp09.00.10.08"', codec: 'vp9', extension: 'webm' },
  gif: null,
});

const frame = (index: number, frames: number, elapsedMs: number): FilmFrame =>
  ({ jobId: 1, index, frames, width: 64, height: 48, timestamp: index / 12, duration: 1 / 12, elapsedMs, objective: 1, bitmap: fakeBitmap(64, 48) }) as FilmFrame;

beforeEach(() => {
  URL.createObjectURL = vi.fn(() => 'blob:film');
  URL.revokeObjectURL = vi.fn();
  // A photo in the Dream panel (setPhoto takes the bitmap).
  useDreamStore.getState().setPhoto(
    { bitmap: fakeBitmap(64, 48), width: 64, height: 48, originalWidth: 64, originalHeight: 48, isScaled: false },
    { file: new Blob(), name: 'tiny.png' },
  );
});

afterEach(() => {
  resetFilmStore();
  resetDreamStore();
  setFilmClient(null);
});

describe('FilmSection', () => {
  it('starts a film with the settings, shows frames done, left and time left, then the film and its download', async () => {
    const calls = stubFilmClient();
    const user = userEvent.setup();
    render(<FilmSection />);
    const frames = screen.getByTestId('film-frames');
    await user.clear(frames);
    await user.type(frames, '4');
    await user.click(screen.getByTestId('film-start'));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.settings).toMatchObject({ frames: 4, fps: 12, side: 256, motion: { zoom: 1.05, rotateDeg: 0 }, encode: true, dream: { steps: 3, layers: [{ name: 'mixed3', weight: 1 }] } });
    await act(async () => {
      await calls[0]!.options.onFrame!(frame(0, 4, 1000));
      await calls[0]!.options.onFrame!(frame(1, 4, 1500));
    });
    // 500 ms per frame after the first; 2 frames left.
    expect(screen.getByTestId('film-progress')).toHaveTextContent('Frame 2 of 4 done · 2 left · about 1 s left');
    expect(screen.getByTestId('film-start')).toBeDisabled();
    await act(async () => calls[0]!.resolve(result(4)));
    expect(await screen.findByTestId('film-video')).toHaveAttribute('src', 'blob:film');
    expect(screen.getByTestId('film-download')).toHaveAttribute('download', 'dreamlift-film-mixed3-zoom1.05-12fps-4f-3steps-64x48-seed1.webm');
    expect(screen.getByTestId('film-progress')).toHaveTextContent('Done: 4 frames');
  });

  it('Stop asks for the frames made so far and shows them as a stopped film', async () => {
    const calls = stubFilmClient();
    const user = userEvent.setup();
    render(<FilmSection />);
    await user.click(screen.getByTestId('film-start'));
    await waitFor(() => expect(calls).toHaveLength(1));
    await act(async () => calls[0]!.options.onFrame!(frame(0, 24, 800)));
    await user.click(screen.getByTestId('film-cancel'));
    expect(calls[0]!.options.signal!.aborted).toBe(true);
    expect(screen.getByTestId('film-progress')).toHaveTextContent('Stopping after this frame');
    await act(async () => calls[0]!.resolve(result(1, true)));
    expect(await screen.findByTestId('film-progress')).toHaveTextContent('Stopped: 1 frame,');
  });

  it('a refused clip shows its message and keeps the last film', async () => {
    const calls = stubFilmClient();
    const user = userEvent.setup();
    render(<FilmSection />);
    await user.click(screen.getByTestId('film-start'));
    await waitFor(() => expect(calls).toHaveLength(1));
    await act(async () => calls[0]!.resolve(result(24)));
    await screen.findByTestId('film-video');
    await user.upload(screen.getByTestId('film-upload'), new File(['x'], 'long.webm', { type: 'video/webm' }));
    await waitFor(() => expect(useDreamStore.getState().error).toMatch(/too long/));
    expect(screen.getByTestId('film-video')).toHaveAttribute('src', 'blob:film');
  });

  it('says that films use InceptionV3 while Dream is on a user model', () => {
    stubFilmClient();
    const { rerender } = render(<FilmSection />);
    expect(screen.queryByTestId('film-model-note')).toBeNull();
    act(() => {
      useDreamStore.setState((s) => ({
        userModel: { id: 'u1', name: 'my_net', scaling: 'unit', layers: null, minSide: null },
        settings: { ...s.settings, modelId: 'u1' },
      }));
    });
    rerender(<FilmSection />);
    expect(screen.getByTestId('film-model-note')).toHaveTextContent(/InceptionV3.*not those of my_net/);
  });

  it('refuses bad settings with a message and starts nothing', async () => {
    const calls = stubFilmClient();
    const user = userEvent.setup();
    render(<FilmSection />);
    await user.clear(screen.getByTestId('film-zoom'));
    await user.type(screen.getByTestId('film-zoom'), '5');
    await user.click(screen.getByTestId('film-start'));
    expect(useDreamStore.getState().error).toMatch(/zoom per frame from 0.5 to 2/);
    expect(calls).toHaveLength(0);
  });
});
