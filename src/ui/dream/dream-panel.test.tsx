import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DreamParams } from '../../engine/dream/params';
import { resetDreamStore, setDreamClient, setEnlargeClient, useDreamStore } from '../../state/dream-store';
import type { DreamClient, DreamFrame, DreamRunOptions } from '../../workers/dream-client';
import type { DreamResult, RawImage } from '../../workers/dream-protocol';
import { abortError } from '../../workers/worker-handle';
import { DreamPanel } from './dream-panel';

type FakeBitmap = ImageBitmap & { close: ReturnType<typeof vi.fn> };
const fakeBitmap = (width: number, height: number) => ({ width, height, close: vi.fn() }) as unknown as FakeBitmap;

/** The first 24 bytes of a PNG: signature and IHDR with the size (all decodeImageFile sniffs). */
function pngFile(width: number, height: number, name = 'photo.png'): File {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return new File([bytes], name, { type: 'image/png' });
}

interface PendingRun {
  params: DreamParams;
  options: DreamRunOptions;
  resolve: (r: DreamResult) => void;
}

/** A stand-in worker client; it reports a hardware GPU unless told otherwise (so the default max side is today's 512). */
function stubClient(options: { holdModel?: boolean; backend?: 'webgpu' | 'wasm'; stepMs?: (pixels: number) => number } = {}) {
  const runs: PendingRun[] = [];
  let releaseModel = () => undefined as void;
  const client = {
    runs,
    releaseModel: () => releaseModel(),
    init: vi.fn(async () => ({ name: options.backend ?? ('webgpu' as const), requested: 'auto' as const, fallbackReason: null, adapter: null, isSoftwareGpu: false })),
    benchmarkGradient: vi.fn(async (photo: RawImage, _params: DreamParams, runs: number) => ({
      width: photo.width,
      height: photo.height,
      passMs: new Array<number>(runs).fill(options.stepMs?.(photo.width * photo.height) ?? 0),
    })),
    loadModel: vi.fn(async (onProgress?: (f: number) => void) => {
      onProgress?.(0.42);
      if (options.holdModel) await new Promise<void>((r) => (releaseModel = r));
      return { layerNames: [] };
    }),
    run: vi.fn(
      (_photo: unknown, params: DreamParams, runOptions: DreamRunOptions = {}) =>
        new Promise<DreamResult>((resolve, reject) => {
          runs.push({ params, options: runOptions, resolve });
          runOptions.signal?.addEventListener('abort', () => reject(abortError()));
        }),
    ),
    onCrash: () => () => undefined,
    terminate: vi.fn(),
  } satisfies DreamClient & Record<string, unknown>;
  setDreamClient(client);
  return client;
}

const frame = (over: Partial<DreamFrame> = {}): DreamFrame => ({
  jobId: 1,
  octave: 0,
  octaves: 2,
  step: 1,
  steps: 2,
  width: 64,
  height: 48,
  objective: 1,
  elapsedMs: 500,
  bitmap: fakeBitmap(64, 48),
  ...over,
});

let ctx: { drawImage: ReturnType<typeof vi.fn>; imageSmoothingEnabled: boolean; imageSmoothingQuality: string };

beforeEach(() => {
  ctx = { drawImage: vi.fn(), imageSmoothingEnabled: false, imageSmoothingQuality: 'low' };
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation((() => ctx) as unknown as HTMLCanvasElement['getContext']);
  // Decoding: the size comes from the PNG header; resizing honours resizeWidth/Height.
  vi.stubGlobal(
    'createImageBitmap',
    vi.fn(async (source: Blob | ImageBitmap, opts?: ImageBitmapOptions) => {
      if (opts?.resizeWidth && opts.resizeHeight) return fakeBitmap(opts.resizeWidth, opts.resizeHeight);
      if (source instanceof Blob) {
        const view = new DataView(await source.slice(16, 24).arrayBuffer());
        return fakeBitmap(view.getUint32(0), view.getUint32(4));
      }
      return fakeBitmap(source.width, source.height);
    }),
  );
});

afterEach(() => {
  resetDreamStore();
  setDreamClient(null);
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

async function uploadPhoto(file = pngFile(4000, 3000, 'big.png')) {
  fireEvent.change(screen.getByTestId('dream-upload'), { target: { files: [file] } });
  await screen.findByText(file.name);
}

describe('DreamPanel', () => {
  it('a large photo is scaled to the max side and the user is told', async () => {
    stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    expect(screen.getByTestId('photo-info')).toHaveTextContent('Scaled from 4000×3000 to 512×384');
    const canvas = screen.getByTestId('dream-canvas') as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([512, 384]);
    expect(ctx.drawImage).toHaveBeenCalled();
  });

  it('start sends the chosen layer, filter, octaves and steps', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.selectOptions(screen.getByTestId('layer-select'), 'mixed4');
    await user.type(screen.getByTestId('filter-input'), '12');
    await user.clear(screen.getByTestId('octaves-input'));
    await user.type(screen.getByTestId('octaves-input'), '3');
    await user.clear(screen.getByTestId('steps-input'));
    await user.type(screen.getByTestId('steps-input'), '5');
    await user.selectOptions(screen.getByTestId('objective-select'), 'mean');
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalledTimes(1));
    expect(client.runs[0]!.params).toMatchObject({
      layers: [{ name: 'mixed4', weight: 1 }],
      channel: 12,
      octaves: 3,
      steps: 5,
      objective: 'mean',
      fromNoise: false,
    });
    expect(screen.getByTestId('dream-start')).toBeDisabled();
    expect(screen.getByTestId('dream-cancel')).toBeEnabled();
  });

  it('shows model loading, then octave, step and time left as frames arrive', async () => {
    const user = userEvent.setup();
    const client = stubClient({ holdModel: true });
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.click(screen.getByTestId('dream-start'));
    expect(await screen.findByText('Loading model… 42 %')).toBeInTheDocument();
    await act(async () => client.releaseModel());
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    const { onFrame } = client.runs[0]!.options;
    act(() => onFrame!(frame({ octave: 1, octaves: 4, step: 2, steps: 5, elapsedMs: 1000 })));
    const progress = screen.getByTestId('dream-progress');
    expect(progress).toHaveTextContent('Octave 2/4 · step 2/5');
    expect(progress).toHaveTextContent(/about \d+ (s|min) left/);
    expect(within(progress).getByRole('progressbar')).toHaveAttribute('aria-valuenow');
    await act(async () => client.runs[0]!.resolve({ jobId: 1, width: 512, height: 384, frames: 1, elapsedMs: 2500, objective: 1 }));
    expect(progress).toHaveTextContent('Done in 2.5 s · octave 2/4 · step 2/5 · 512×384');
  });

  it('cancel returns to idle and leaves the last frame on the canvas', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    const last = frame({ step: 1 });
    act(() => client.runs[0]!.options.onFrame!(last));
    expect(ctx.drawImage).toHaveBeenLastCalledWith(last.bitmap, 0, 0, 512, 384);
    expect(last.bitmap.close).toHaveBeenCalled();
    const draws = ctx.drawImage.mock.calls.length;
    await user.click(screen.getByTestId('dream-cancel'));
    await waitFor(() => expect(useDreamStore.getState().status).toBe('idle'));
    expect(screen.getByTestId('dream-progress')).toHaveTextContent('Stopped at octave 1/2 · step 1/2');
    expect(screen.queryByTestId('error-message')).not.toBeInTheDocument();
    expect(ctx.drawImage.mock.calls.length).toBe(draws);
    expect(screen.getByTestId('dream-download')).toBeEnabled();
    expect(screen.getByTestId('dream-start')).toBeEnabled();
    expect(client.runs[0]!.options.signal?.aborted).toBe(true);
  });

  it('validates the filter against the layer’s channel count', async () => {
    const user = userEvent.setup();
    stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.selectOptions(screen.getByTestId('layer-select'), 'mixed0');
    expect(screen.getByText(/one channel 0–255 \(256 in mixed0\)/)).toBeInTheDocument();
    const filter = screen.getByTestId('filter-input');
    await user.type(filter, '256');
    expect(screen.getByText(/This layer has 256 channels: enter a channel number from 0 to 255/)).toBeInTheDocument();
    expect(filter).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('dream-start')).toBeDisabled();
    await user.clear(filter);
    await user.type(filter, '255');
    expect(filter).not.toHaveAttribute('aria-invalid');
    expect(screen.getByTestId('dream-start')).toBeEnabled();
    await user.clear(filter);
    await user.type(filter, 'eyes');
    expect(screen.getByTestId('dream-start')).toBeDisabled();
  });

  it('a bad upload shows the error and keeps the photo, settings and result', async () => {
    const user = userEvent.setup();
    stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.clear(screen.getByTestId('steps-input'));
    await user.type(screen.getByTestId('steps-input'), '7');
    const draws = ctx.drawImage.mock.calls.length;
    fireEvent.change(screen.getByTestId('dream-upload'), { target: { files: [new File([], 'empty.png', { type: 'image/png' })] } });
    expect(await screen.findByTestId('error-message')).toHaveTextContent('The file is empty (0 bytes).');
    fireEvent.change(screen.getByTestId('dream-upload'), { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' })] } });
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent(/not an image/));
    fireEvent.change(screen.getByTestId('dream-upload'), { target: { files: [pngFile(20, 20, 'tiny.png')] } });
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent(/too small \(20×20 pixels\)/));
    expect(screen.getByTestId('photo-info')).toHaveTextContent('big.png');
    expect(screen.getByTestId('steps-input')).toHaveValue(7);
    expect(ctx.drawImage.mock.calls.length).toBe(draws);
    expect(screen.getByTestId('dream-start')).toBeEnabled();
    // A good photo clears the message.
    await uploadPhoto(pngFile(300, 200, 'good.png'));
    expect(screen.queryByTestId('error-message')).not.toBeInTheDocument();
  });

  it('a guide image: thumbnail and size shown, bad guides refused with the photo’s messages (nothing lost), sent with Start, cleared', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    expect(screen.getByTestId('guide-none')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('guide-upload'), { target: { files: [pngFile(400, 300, 'stars.png')] } });
    expect(await screen.findByTestId('guide-info')).toHaveTextContent('stars.png');
    // Scaled to the guide's 224 px.
    expect(screen.getByTestId('guide-info')).toHaveTextContent('224×168');
    const thumb = screen.getByTestId('guide-thumbnail') as HTMLCanvasElement;
    expect([thumb.width, thumb.height]).toEqual([96, 72]);
    expect(screen.getByRole('img', { name: 'Guide image: stars.png' })).toBe(thumb);
    fireEvent.change(screen.getByTestId('guide-upload'), { target: { files: [new File([], 'empty.png', { type: 'image/png' })] } });
    expect(await screen.findByTestId('error-message')).toHaveTextContent('The file is empty (0 bytes).');
    fireEvent.change(screen.getByTestId('guide-upload'), { target: { files: [new File(['hello'], 'notes.txt', { type: 'text/plain' })] } });
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent(/not an image/));
    fireEvent.change(screen.getByTestId('guide-upload'), { target: { files: [pngFile(20, 20, 'tiny.png')] } });
    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent(/too small \(20×20 pixels\)/));
    expect(screen.getByTestId('guide-info')).toHaveTextContent('stars.png');
    expect(screen.getByTestId('photo-info')).toHaveTextContent('big.png');
    await user.type(screen.getByTestId('filter-input'), '12');
    expect(screen.getByTestId('guide-filter-note')).toBeInTheDocument();
    await user.click(screen.getByTestId('dream-start'));
    expect(screen.getByTestId('error-message')).toHaveTextContent(/cannot be combined with a single filter/);
    expect(client.run).not.toHaveBeenCalled();
    await user.clear(screen.getByTestId('filter-input'));
    expect(screen.queryByTestId('guide-filter-note')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.runs).toHaveLength(1));
    expect(client.runs[0]!.options.guide).toMatchObject({ width: 224, height: 168 });
    client.runs[0]!.resolve({ jobId: 1, width: 512, height: 384, frames: 1, elapsedMs: 10, objective: 1 });
    await user.click(await screen.findByTestId('guide-clear'));
    expect(screen.queryByTestId('guide-info')).not.toBeInTheDocument();
    expect(screen.getByTestId('guide-none')).toBeInTheDocument();
  });

  it('presets set several controls at once', async () => {
    const user = userEvent.setup();
    stubClient();
    render(<DreamPanel isActive />);
    await user.selectOptions(screen.getByTestId('preset-select'), 'deep');
    expect(screen.getByTestId('layer-select')).toHaveValue('mixed5');
    expect(screen.getByTestId('objective-select')).toHaveValue('l2');
    expect(screen.getByTestId('octaves-input')).toHaveValue(5);
    expect(screen.getByTestId('steps-input')).toHaveValue(12);
    expect(screen.getByTestId('layer-description')).toHaveTextContent(/larger object parts/);
    await user.selectOptions(screen.getByTestId('preset-select'), 'noise');
    expect(screen.getByTestId('layer-select')).toHaveValue('mixed3');
    expect(screen.getByTestId('filter-input')).toHaveValue('42');
    expect(screen.getByTestId('noise-toggle')).toBeChecked();
    // From noise needs no photo.
    expect(screen.getByTestId('dream-start')).toBeEnabled();
    await user.clear(screen.getByTestId('steps-input'));
    await user.type(screen.getByTestId('steps-input'), '3');
    expect(screen.getByTestId('preset-select')).toHaveValue('custom');
  });

  it('a sample thumbnail loads that photo', async () => {
    const user = userEvent.setup();
    stubClient();
    const fetchMock = vi.fn(async () => ({ ok: true, status: 200, blob: async () => pngFile(451, 300) }));
    vi.stubGlobal('fetch', fetchMock);
    render(<DreamPanel isActive />);
    await user.click(screen.getByTestId('dream-sample-chelsea'));
    await waitFor(() => expect(screen.getByTestId('photo-info')).toHaveTextContent('Chelsea the cat 451×300'));
    expect(fetchMock).toHaveBeenCalledWith(expect.stringMatching(/samples\/chelsea\.png$/));
    expect(screen.getByText(/Stefan van der Walt \(CC0\)/)).toBeInTheDocument();
  });

  it('download saves the canvas as a PNG and revokes the object URL', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    const toBlob = vi.spyOn(HTMLCanvasElement.prototype, 'toBlob').mockImplementation(function (cb: BlobCallback) {
      cb(new Blob(['png'], { type: 'image/png' }));
    });
    const createObjectURL = vi.fn(() => 'blob:dream');
    const revokeObjectURL = vi.fn();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    const { unmount } = render(<DreamPanel isActive />);
    await uploadPhoto();
    expect(screen.getByTestId('dream-download')).toBeDisabled();
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    await act(async () => {
      client.runs[0]!.options.onFrame!(frame({ octave: 1, step: 2 }));
      client.runs[0]!.resolve({ jobId: 1, width: 512, height: 384, frames: 1, elapsedMs: 10, objective: 1 });
    });
    await user.click(screen.getByTestId('dream-download'));
    expect(toBlob).toHaveBeenCalledWith(expect.any(Function), 'image/png');
    expect(click).toHaveBeenCalled();
    unmount();
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:dream');
  });

  it('keyboard: Start moves focus to Cancel, Escape cancels, and focus returns to Start', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    render(<DreamPanel isActive />);
    await uploadPhoto();
    screen.getByTestId('dream-start').focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    expect(screen.getByTestId('dream-cancel')).toHaveFocus();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(useDreamStore.getState().status).toBe('idle'));
    expect(client.runs[0]!.options.signal?.aborted).toBe(true);
    expect(screen.getByTestId('dream-start')).toHaveFocus();
    // After a dream that finishes, too.
    await user.keyboard('{Enter}');
    await waitFor(() => expect(client.run).toHaveBeenCalledTimes(2));
    expect(screen.getByTestId('dream-cancel')).toHaveFocus();
    await act(async () => client.runs[1]!.resolve({ jobId: 2, width: 512, height: 384, frames: 1, elapsedMs: 10, objective: 1 }));
    expect(screen.getByTestId('dream-start')).toHaveFocus();
  });

  it('Escape does nothing to a dream while the panel is hidden', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    const { rerender } = render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    rerender(<DreamPanel isActive={false} />);
    await user.keyboard('{Escape}');
    expect(useDreamStore.getState().status).toBe('running');
  });

  it('on WASM the default max side is 256 and the estimate before Start comes from timed passes; a user’s choice stays', async () => {
    const user = userEvent.setup();
    // 10 ms per step plus 0.001 ms per pixel.
    const client = stubClient({ backend: 'wasm', stepMs: (pixels) => 10 + 0.001 * pixels });
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await waitFor(() => expect(screen.getByTestId('photo-info')).toHaveTextContent('Scaled from 4000×3000 to 256×192'));
    expect(screen.getByTestId('max-side-select')).toHaveValue('256');
    // 4 octaves at 1.4 of 256×192 (sizes 93×70, 131×98, 183×137, 256×192) × 10 steps:
    // 10·(4·10 + 0.001·(6510 + 12838 + 25071 + 49152)) = 1335.7 ms → "about 1 s".
    await waitFor(() => expect(screen.getByTestId('dream-estimate')).toHaveTextContent('Estimated time: about 1 s on wasm (from a timed step on this device)'));
    expect(client.benchmarkGradient).toHaveBeenCalledTimes(2);
    await user.clear(screen.getByTestId('steps-input'));
    await user.type(screen.getByTestId('steps-input'), '40');
    expect(screen.getByTestId('dream-estimate')).toHaveTextContent('about 5 s');
    // The user's own max side is never replaced by the backend's default.
    await user.selectOptions(screen.getByTestId('max-side-select'), '384');
    await waitFor(() => expect(screen.getByTestId('photo-info')).toHaveTextContent('to 384×288'));
    // Start asks the backend again (init → defaults); the choice stays.
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    expect(client.init).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('max-side-select')).toHaveValue('384');
  });

  it('offers the original size beside the working size and enlarges in the worker client', async () => {
    const user = userEvent.setup();
    const client = stubClient();
    const enlarge = vi.fn(async (original: ImageBitmap) => {
      expect([original.width, original.height]).toEqual([4000, 3000]);
      return new Blob(['png'], { type: 'image/png' });
    });
    setEnlargeClient({ enlarge });
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:full'), revokeObjectURL: vi.fn() }));
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    render(<DreamPanel isActive />);
    await uploadPhoto();
    await user.click(screen.getByTestId('dream-start'));
    await waitFor(() => expect(client.run).toHaveBeenCalled());
    await act(async () => {
      client.runs[0]!.options.onFrame!(frame({ octave: 1, step: 2 }));
      client.runs[0]!.resolve({ jobId: 1, width: 512, height: 384, frames: 1, elapsedMs: 10, objective: 1 });
    });
    expect(screen.getByTestId('dream-download')).toHaveTextContent('Download 512×384');
    expect(screen.getByText(/512×384 is the working size: exactly what was dreamt/)).toBeInTheDocument();
    await user.click(screen.getByTestId('dream-download-original'));
    await waitFor(() => expect(names).toEqual(['dreamlift-mixed3-4000x3000-original-size.png']));
    expect(enlarge).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ width: 512, height: 384 }), expect.anything(), '#ffffff');
    setEnlargeClient(null);
  });
});
