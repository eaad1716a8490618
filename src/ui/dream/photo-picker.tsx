import { MAX_SIDE_CHOICES, useDreamStore } from '../../state/dream-store';
import { HELP } from '../about/help-texts';
import { FieldLabel } from '../common/help-tip';
import { ImageDropZone } from '../common/image-drop-zone';
import { changeMaxSide, openPhotoFile, openSample } from './photo-loader';
import { DREAM_SAMPLES } from './samples';

interface PhotoPickerProps {
  /** Paste is listened for only while the panel is visible. */
  isActive: boolean;
}

/** Photo in: picker, drop, paste or a sample; the working size ("max side") and whether the photo was scaled. */
export function PhotoPicker({ isActive }: PhotoPickerProps) {
  const photo = useDreamStore((s) => s.photo);
  const maxSide = useDreamStore((s) => s.settings.maxSide);
  const isDecoding = useDreamStore((s) => s.isDecoding);
  const isBusy = useDreamStore((s) => s.status === 'running' || s.status === 'loading-model');

  return (
    <section className="dream-section" aria-labelledby="dream-photo-heading">
      <h2 id="dream-photo-heading" className="dream-heading">
        Photo
      </h2>
      <ImageDropZone onFile={(file) => void openPhotoFile(file)} testId="dream-upload" label="Choose a photo…" isActive={isActive} />
      <div className="dream-samples" role="group" aria-label="Sample photos">
        {DREAM_SAMPLES.map((sample) => (
          <button
            key={sample.id}
            type="button"
            className={`dream-sample ${photo?.name === sample.title ? 'dream-sample-active' : ''}`}
            data-testid={`dream-sample-${sample.id}`}
            onClick={() => void openSample(sample)}
            title={`${sample.title}: ${sample.credit}`}
          >
            <img src={sample.url} alt="" loading="lazy" decoding="async" />
            <span>{sample.title}</span>
          </button>
        ))}
      </div>
      <p className="dream-credits muted">
        Samples: {DREAM_SAMPLES.map((s) => `${s.title}, ${s.credit}`).join(' · ')}.
      </p>
      <div className="dream-field">
        <FieldLabel htmlFor="dream-max-side" label="Max side" topic="the max side" help={HELP.maxSide} />
        <select
          id="dream-max-side"
          data-testid="max-side-select"
          value={maxSide}
          disabled={isBusy}
          onChange={(e) => void changeMaxSide(Number(e.target.value))}
        >
          {MAX_SIDE_CHOICES.map((side) => (
            <option key={side} value={side}>
              {side} px
            </option>
          ))}
        </select>
      </div>
      <p className="dream-photo-info" data-testid="photo-info" aria-live="polite">
        {isDecoding ? (
          <span className="muted">Opening…</span>
        ) : photo ? (
          <>
            <span className="dream-photo-name">{photo.name}</span>{' '}
            <span className="muted">
              {photo.width}×{photo.height}
            </span>
            {photo.isScaled ? (
              <span className="notice dream-scaled">
                {' '}
                Scaled from {photo.originalWidth}×{photo.originalHeight} to {photo.width}×{photo.height}.
              </span>
            ) : null}
          </>
        ) : (
          <span className="muted">No photo yet: choose one, drop or paste it, or pick a sample.</span>
        )}
      </p>
    </section>
  );
}
