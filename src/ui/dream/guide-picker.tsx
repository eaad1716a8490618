/**
 * The guide of a guided dream (engine/dream/guide.ts): a picker or drop zone
 * for the guide image, decoded off the main thread like the photo (at most
 * GUIDE_MAX_SIDE px), its thumbnail and a Clear button. Bad files get the
 * photo's messages in `error-message`; the photo, the settings and the old
 * guide stay.
 */
import { useEffect, useRef, useState } from 'react';
import { GUIDE_MAX_SIDE } from '../../engine/dream/params';
import { getGuideBitmap, layerChannels, modelLayers, parseFilter, useDreamStore } from '../../state/dream-store';
import { HELP } from '../about/help-texts';
import { decodeImageFile, flattenOnto } from '../common/decode-image';
import { HelpTip } from '../common/help-tip';
import { ImageDropZone } from '../common/image-drop-zone';
import { MIN_PHOTO_SIDE, PHOTO_BACKGROUND, openFailureMessage } from './photo-loader';

/** Longest side of the thumbnail (CSS px). */
const THUMB_SIDE = 96;

let latestGuide = 0;

/** Decodes `file` as the guide; only the latest request wins. Resolves when done (or failed: the store shows why). */
export async function openGuideFile(file: File): Promise<void> {
  const mine = ++latestGuide;
  try {
    const decoded = flattenOnto(await decodeImageFile(file, { maxSide: GUIDE_MAX_SIDE, minSide: MIN_PHOTO_SIDE }), PHOTO_BACKGROUND);
    if (mine !== latestGuide) {
      decoded.bitmap.close();
      return;
    }
    useDreamStore.getState().setGuide(decoded, file.name || 'pasted image');
  } catch (error) {
    if (mine === latestGuide) useDreamStore.getState().photoFailed(openFailureMessage(error));
  }
}

export function GuidePicker() {
  const guide = useDreamStore((s) => s.guide);
  const version = useDreamStore((s) => s.guideVersion);
  const clearGuide = useDreamStore((s) => s.clearGuide);
  const hasFilter = useDreamStore((s) => parseFilter(s.settings.filter, layerChannels(s.settings.layer, modelLayers(s) ?? [])).channel !== null);
  const layer = useDreamStore((s) => s.settings.layer);
  const [isOpening, setIsOpening] = useState(false);
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const bitmap = getGuideBitmap();
    if (!canvas || !bitmap) return;
    const scale = Math.min(1, THUMB_SIDE / Math.max(bitmap.width, bitmap.height));
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  }, [version, guide]);

  const open = (file: File) => {
    setIsOpening(true);
    void openGuideFile(file).finally(() => setIsOpening(false));
  };

  return (
    <section className="dream-section" aria-labelledby="dream-guide-heading">
      <div className="dream-check-row">
        <h2 id="dream-guide-heading" className="dream-heading">
          Guide (optional)
        </h2>
        <HelpTip topic="a guided dream">{HELP.guide}</HelpTip>
      </div>
      <p className="dream-hint muted">
        A guided dream pulls every part of the photo towards what is most similar in a guide image (its textures,
        shapes and colours as {layer} sees them). A guide applies to the whole layer: use a guide or a single
        filter, not both.
      </p>
      <ImageDropZone onFile={open} testId="guide-upload" label="Choose a guide image…" isActive={false} hint="or drop one here" />
      {guide ? (
        <div className="dream-guide" data-testid="guide-info">
          <canvas ref={canvasRef} className="dream-guide-thumb" data-testid="guide-thumbnail" role="img" aria-label={`Guide image: ${guide.name}`} />
          <div className="dream-guide-text">
            <span className="dream-photo-name">{guide.name}</span>
            <span className="muted">
              {guide.width}×{guide.height}
            </span>
            <button type="button" className="btn" data-testid="guide-clear" onClick={clearGuide}>
              Clear guide
            </button>
          </div>
        </div>
      ) : (
        <p className="dream-photo-info muted" data-testid="guide-none">
          {isOpening ? 'Opening…' : 'No guide: an ordinary dream of the layer (or filter).'}
        </p>
      )}
      {guide && hasFilter ? (
        <p className="notice dream-hint" data-testid="guide-filter-note">
          A filter is chosen: empty the Filter field to dream with the guide (it applies to the whole layer), or clear the guide.
        </p>
      ) : null}
    </section>
  );
}
