import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import type { RawImage } from '../../workers/dream-protocol';

interface FilterThumbProps {
  layer: string;
  channel: number;
  /** The layer's channel count (not all cells are rendered: aria-setsize tells the total). */
  channels: number;
  image: RawImage | undefined;
  isSelected: boolean;
  isFocusTarget: boolean;
  isComputing: boolean;
  /** Registers the cell with the gallery (IntersectionObserver, focus moves); null on unmount. */
  cellRef: (channel: number, element: HTMLElement | null) => void;
  onPick: (channel: number) => void;
  onKeyDown: (event: KeyboardEvent<HTMLElement>, channel: number) => void;
}

/** A thumbnail's pixels in a small canvas (decorative: the surrounding control names the filter). */
export function ThumbCanvas({ image }: { image: RawImage }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    if (ctx) ctx.putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
  }, [image]);
  return <canvas ref={canvasRef} className="filter-thumb-image" aria-hidden="true" />;
}

/** One filter of the gallery: its visualisation once ready, else a placeholder. */
export const FilterThumb = memo(function FilterThumb({ layer, channel, channels, image, isSelected, isFocusTarget, isComputing, cellRef, onPick, onKeyDown }: FilterThumbProps) {
  return (
    <div
      ref={(el) => cellRef(channel, el)}
      role="option"
      id={`filter-thumb-${channel}`}
      data-testid={`filter-thumb-${channel}`}
      data-channel={channel}
      data-ready={image ? 'true' : 'false'}
      aria-selected={isSelected}
      aria-setsize={channels}
      aria-posinset={channel + 1}
      aria-label={`Filter ${channel} of ${layer}${image ? '' : isComputing ? ', being drawn' : ', not drawn yet'}`}
      tabIndex={isFocusTarget ? 0 : -1}
      className={`filter-thumb${isSelected ? ' filter-thumb-selected' : ''}${isComputing ? ' filter-thumb-computing' : ''}`}
      onClick={() => onPick(channel)}
      onKeyDown={(e) => onKeyDown(e, channel)}
    >
      {image ? <ThumbCanvas image={image} /> : <span className="filter-thumb-placeholder" aria-hidden="true" />}
      <span className="filter-thumb-label" aria-hidden="true">{channel}</span>
    </div>
  );
});
