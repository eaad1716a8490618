import { useDreamStore } from '../../state/dream-store';
import { useGalleryStore } from '../../state/gallery-store';
import { ThumbCanvas } from './filter-gallery-thumb';

/** "What this photo excites": the filters the photo drives hardest relative to photos in general, one click from a dream. */
export function PhotoExcites({ onPick }: { onPick: (channel: number) => void }) {
  const hasPhoto = useDreamStore((s) => s.photo !== null);
  const layer = useDreamStore((s) => s.settings.layer);
  const excited = useGalleryStore((s) => s.excited);
  const isFinding = useGalleryStore((s) => s.isFindingExcited);
  const thumbs = useGalleryStore((s) => s.thumbs);
  const findExcited = useGalleryStore((s) => s.findExcited);

  return (
    <div className="photo-excites" data-testid="photo-excites">
      <button type="button" className="btn" data-testid="excites-run" disabled={!hasPhoto || isFinding} onClick={() => void findExcited()}>
        {isFinding ? 'Ranking the filters…' : 'What does this photo excite?'}
      </button>
      {!hasPhoto ? <span className="dream-hint muted">Choose a photo to see which filters of {layer} it excites most.</span> : null}
      {excited ? (
        <ol className="photo-excites-list" data-testid="excites-list" aria-label={`Filters of ${layer} this photo excites most`}>
          {excited.map(({ channel, ratio }) => (
            <li key={channel}>
              <button type="button" className="photo-excites-item" data-testid={`excites-item-${channel}`} onClick={() => onPick(channel)}
                aria-label={`Filter ${channel}: ${ratio.toFixed(1)} times its usual activation. Pick it for the dream`}>
                {thumbs[channel] ? <ThumbCanvas image={thumbs[channel]} /> : <span className="filter-thumb-placeholder" aria-hidden="true" />}
                <span aria-hidden="true">{channel} · ×{ratio.toFixed(1)}</span>
              </button>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
