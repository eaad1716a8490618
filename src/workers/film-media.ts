/**
 * Browser media for films, in the worker: encoding with WebCodecs'
 * VideoEncoder (through mediabunny's VideoSampleSource, which checks
 * VideoEncoder.isConfigSupported) into WebM (VP9, else VP8) or MP4 (H.264),
 * muxed by mediabunny into an in-memory buffer; and decoding uploaded clips
 * (mediabunny demuxes, WebCodecs' VideoDecoder decodes, CanvasSink scales).
 * Every refusal is a BadClipError whose message the page shows as it is.
 */
import {
  ALL_FORMATS,
  BlobSource,
  BufferTarget,
  CanvasSink,
  Input,
  Mp4OutputFormat,
  Output,
  QUALITY_HIGH,
  VideoSample,
  VideoSampleSource,
  WebMOutputFormat,
  getFirstEncodableVideoCodec,
  type VideoCodec,
} from 'mediabunny';
import { filmSize } from '../engine/film/size';
import { BadClipError, type ClipSource, type FilmEncoder, type FilmEnvironment } from './film-api';
import { MAX_CLIP_BYTES, MAX_CLIP_SIDE, type FilmCapabilities } from './film-protocol';

/** In order of preference: open codecs in WebM first, H.264 in MP4 last. */
const CODECS: VideoCodec[] = ['vp9', 'vp8', 'avc'];

const hasVideoEncoder = (): boolean => typeof VideoEncoder !== 'undefined';

async function pickCodec(width: number, height: number): Promise<VideoCodec | null> {
  return hasVideoEncoder() ? getFirstEncodableVideoCodec(CODECS, { width, height, bitrate: QUALITY_HIGH }) : null;
}

export async function filmCapabilities(width: number, height: number): Promise<FilmCapabilities> {
  return { webCodecs: hasVideoEncoder(), codec: await pickCodec(width, height) };
}

export async function createFilmEncoder(width: number, height: number, fps: number): Promise<FilmEncoder | null> {
  const codec = await pickCodec(width, height);
  if (!codec) return null;
  const extension = codec === 'avc' ? 'mp4' : 'webm';
  const output = new Output({
    format: extension === 'mp4' ? new Mp4OutputFormat({ fastStart: 'in-memory' }) : new WebMOutputFormat(),
    target: new BufferTarget(),
  });
  // A key frame every second keeps seeking quick in long films.
  const source = new VideoSampleSource({ codec, bitrate: QUALITY_HIGH, keyFrameInterval: 1 });
  output.addVideoTrack(source, { frameRate: fps });
  await output.start();
  return {
    async add(pixels, w, h, timestamp, duration) {
      const sample = new VideoSample(pixels, { format: 'RGBA', codedWidth: w, codedHeight: h, timestamp, duration });
      try {
        await source.add(sample);
      } finally {
        sample.close();
      }
    },
    async finish() {
      source.close();
      await output.finalize();
      const bytes = output.target.buffer;
      if (!bytes) throw new Error('the encoder produced no file');
      return { bytes, mimeType: await output.getMimeType(), codec, extension };
    },
    async cancel() {
      if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    },
  };
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

export async function openClip(file: Blob, side: number, maxSeconds: number): Promise<ClipSource> {
  if (file.size === 0) throw new BadClipError('The file is empty (0 bytes).');
  if (file.size > MAX_CLIP_BYTES) throw new BadClipError(`The clip is too large (${mb(file.size)}); the limit is ${mb(MAX_CLIP_BYTES)}. Please trim or compress it.`);
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  const close = () => input.dispose();
  try {
    let track;
    try {
      track = await input.getPrimaryVideoTrack();
    } catch {
      throw new BadClipError('This file is not a video this browser can read. Please choose a WebM or MP4 clip.');
    }
    if (!track) throw new BadClipError('This file has no video frames (it holds no video track: audio only, or an empty recording). Please choose a WebM or MP4 video clip.');
    if (!(await track.canDecode())) {
      const codec = (await track.getCodecParameterString().catch(() => null)) ?? track.codec ?? 'unknown';
      throw new BadClipError(`This browser cannot decode the clip's video codec (${codec}). Please convert it to WebM (VP8/VP9) or MP4 (H.264).`);
    }
    const { displayWidth, displayHeight } = track;
    if (Math.max(displayWidth, displayHeight) > MAX_CLIP_SIDE) {
      throw new BadClipError(`The clip is too large (${displayWidth}×${displayHeight}); the limit is ${MAX_CLIP_SIDE} px per side. Please scale it down.`);
    }
    const stats = await track.computePacketStats();
    if (stats.packetCount === 0) throw new BadClipError('The clip has no video frames.');
    const duration = await track.computeDuration();
    if (duration > maxSeconds + 0.05) throw new BadClipError(`The clip is too long (${duration.toFixed(1)} s); the limit is ${maxSeconds} s. Please trim it.`);
    const size = filmSize(displayWidth, displayHeight, side);
    const sink = new CanvasSink(track, { width: size.width, height: size.height, fit: 'fill' });
    return {
      ...size,
      frameCount: stats.packetCount,
      duration,
      async *frames() {
        try {
          for await (const wrapped of sink.canvases()) {
            const ctx = (wrapped.canvas as OffscreenCanvas).getContext('2d', { willReadFrequently: true });
            if (!ctx) throw new BadClipError('this browser cannot read video frames in a worker (no 2D OffscreenCanvas)');
            yield { pixels: ctx.getImageData(0, 0, size.width, size.height).data, timestamp: wrapped.timestamp, duration: wrapped.duration };
          }
        } catch (error) {
          if (error instanceof Error && (error.name === 'AbortError' || error.name === 'BadClipError' || error.name === 'BadParamsError')) throw error;
          throw new BadClipError(`The clip could not be decoded: ${error instanceof Error ? error.message : String(error)}.`);
        }
      },
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/** The film environment of the Deep Dream worker, around its shared trunk loader. */
export function browserFilmEnvironment(model: FilmEnvironment['model'], device: FilmEnvironment['device']): FilmEnvironment {
  return { model, device, capabilities: filmCapabilities, createEncoder: createFilmEncoder, openClip };
}
