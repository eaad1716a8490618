import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { layerChannels, modelLayers, useDreamStore } from '../../state/dream-store';
import { galleryModelKey, useGalleryStore } from '../../state/gallery-store';
import { PhotoExcites } from './filter-gallery-excites';
import { FilterThumb } from './filter-gallery-thumb';
import './filter-gallery.css';

/** Cells per row (the CSS grid has this many columns), for arrow-key moves. */
export const GALLERY_COLUMNS = 4;
/** Without IntersectionObserver (old browsers, jsdom) the first cells count as visible. */
const FALLBACK_VISIBLE = 16;
/**
 * Cells are rendered a page at a time, the next page when the last rows come
 * into view (or focus moves there), so a 768-filter layer does not put 768
 * cells in the page at once.
 */
export const GALLERY_PAGE = 48;

/** Which cells intersect the scroll box; reports them (sorted) once per animation frame. */
function useVisibleCells(root: React.RefObject<HTMLElement | null>, report: (channels: number[]) => void) {
  const observer = useRef<IntersectionObserver | null>(null);
  const visible = useRef(new Set<number>());
  const frame = useRef<number | null>(null);
  const flush = useCallback(() => {
    frame.current = null;
    report([...visible.current].sort((a, b) => a - b));
  }, [report]);
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined' || !root.current) return;
    observer.current = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const c = Number((e.target as HTMLElement).dataset.channel);
        if (e.isIntersecting) visible.current.add(c);
        else visible.current.delete(c);
      }
      if (frame.current === null) frame.current = requestAnimationFrame(flush);
    }, { root: root.current, rootMargin: '40px 0px' });
    return () => {
      observer.current?.disconnect();
      observer.current = null;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    };
  }, [root, flush]);
  return observer;
}

/** The current layer's filters as pictures (computed on demand); click or Enter picks one for the dream. */
export function FilterGallery() {
  const layer = useDreamStore((s) => s.settings.layer);
  const filter = useDreamStore((s) => s.settings.filter);
  const setSetting = useDreamStore((s) => s.setSetting);
  const channels = useGalleryStore((s) => s.channels);
  const thumbs = useGalleryStore((s) => s.thumbs);
  const computing = useGalleryStore((s) => s.computing);
  const progress = useGalleryStore((s) => s.progress);
  const error = useGalleryStore((s) => s.error);
  const notice = useGalleryStore((s) => s.notice);
  const showLayer = useGalleryStore((s) => s.showLayer);
  const setVisible = useGalleryStore((s) => s.setVisible);
  const box = useRef<HTMLDivElement>(null);
  const cells = useRef(new Map<number, HTMLElement>());
  const selected = /^\d+$/.test(filter.trim()) ? Number(filter.trim()) : null;
  const [focusIndex, setFocusIndex] = useState(0);
  const [shown, setShown] = useState(GALLERY_PAGE);
  const report = useCallback((visible: number[]) => {
    setVisible(visible);
    const last = visible.at(-1);
    if (last !== undefined) setShown((n) => (last >= n - GALLERY_COLUMNS * 2 ? n + GALLERY_PAGE : n));
  }, [setVisible]);
  const observer = useVisibleCells(box, report);

  const modelKey = useDreamStore(galleryModelKey);
  const layerSize = useDreamStore((s) => layerChannels(s.settings.layer, modelLayers(s) ?? []));
  // Again when the model changes, or its layers become known.
  useEffect(() => showLayer(layer), [layer, modelKey, layerSize, showLayer]);
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') setVisible(Array.from({ length: Math.min(FALLBACK_VISIBLE, channels) }, (_, i) => i));
  }, [channels, setVisible]);
  // The roving focus starts at the picked filter when the layer changes (not on every pick: pick() moves it).
  const initialFocus = selected !== null && selected < channels ? selected : 0;
  const focusLayer = useRef<string | null>(null);
  useEffect(() => {
    if (focusLayer.current === `${layer}:${channels}`) return;
    focusLayer.current = `${layer}:${channels}`;
    setFocusIndex(initialFocus);
    setShown(Math.max(GALLERY_PAGE, Math.ceil((initialFocus + 1) / GALLERY_PAGE) * GALLERY_PAGE));
  }, [layer, channels, initialFocus]);

  const cellRef = useCallback((channel: number, el: HTMLElement | null) => {
    const old = cells.current.get(channel);
    if (old && old !== el) observer.current?.unobserve(old);
    if (el) {
      cells.current.set(channel, el);
      observer.current?.observe(el);
    } else cells.current.delete(channel);
  }, [observer]);

  const pick = useCallback((channel: number) => {
    setSetting('filter', String(channel));
    setFocusIndex(channel);
  }, [setSetting]);

  const onKeyDown = useCallback((e: KeyboardEvent<HTMLElement>, channel: number) => {
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: GALLERY_COLUMNS, ArrowUp: -GALLERY_COLUMNS, PageDown: 4 * GALLERY_COLUMNS, PageUp: -4 * GALLERY_COLUMNS };
    let next: number | null = null;
    if (e.key in moves) next = channel + moves[e.key];
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = channels - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(channel);
      return;
    }
    if (next === null) return;
    e.preventDefault();
    const target = Math.max(0, Math.min(channels - 1, next));
    setFocusIndex(target);
    const focus = () => {
      const el = cells.current.get(target);
      el?.focus();
      el?.scrollIntoView?.({ block: 'nearest' });
    };
    if (cells.current.has(target)) focus();
    else {
      // Not rendered yet: render up to its page, then focus it.
      setShown(Math.ceil((target + 1) / GALLERY_PAGE) * GALLERY_PAGE);
      requestAnimationFrame(focus);
    }
  }, [channels, pick]);

  const ready = Object.keys(thumbs).length;
  return (
    <section className="dream-section filter-gallery" aria-labelledby="filter-gallery-heading" data-testid="filter-gallery">
      <h2 id="filter-gallery-heading" className="dream-heading">Filters of <span className="layer-name">{layer}</span></h2>
      <p className="filter-gallery-status muted" aria-live="polite" data-testid="gallery-status">
        {channels} filters in {layer}, {ready} drawn{computing !== null ? `; drawing filter ${computing}` : ''}. Click one, or use the arrow keys and Enter, to dream it.
      </p>
      {computing !== null ? <progress className="filter-gallery-progress" data-testid="gallery-progress" value={progress} max={1} aria-label={`Drawing filter ${computing}`} /> : null}
      {error ? <p className="dream-field-error" role="status">{error}</p> : null}
      {notice ? <p className="muted" role="note" data-testid="gallery-notice">{notice}</p> : null}
      <PhotoExcites onPick={pick} />
      <div ref={box} className="filter-gallery-grid" role="listbox" aria-label={`Filters of ${layer}`}>
        {Array.from({ length: Math.min(shown, channels) }, (_, c) => (
          <FilterThumb key={`${layer}-${c}`} layer={layer} channel={c} channels={channels} image={thumbs[c]} isSelected={selected === c} isFocusTarget={focusIndex === c} isComputing={computing === c} cellRef={cellRef} onPick={pick} onKeyDown={onKeyDown} />
        ))}
      </div>
    </section>
  );
}
