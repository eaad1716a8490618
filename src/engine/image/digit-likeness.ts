/**
 * "Is this a digit the model knows?" — judged from how much of the picture
 * survives the photo clean-up (photo-ink.ts), before the model sees it.
 *
 * A photographed digit is one or two dark strokes on paper: after the
 * background is removed, nearly all the ink above Otsu's threshold belongs to
 * the digit's one or two pieces, and it covers a small part of the picture. A
 * scene (a motorcycle, a cat, a rocket) leaves dozens of dark pieces, many of
 * them sizeable, of which the clean-up keeps only the largest; noise or a
 * texture leaves ink almost everywhere. So the input is "unlike the digits the
 * model knows" when any of these holds:
 * - less than KEPT_MIN of the thresholded ink was kept (the rest was clutter),
 * - more than PIECES_MAX sizeable pieces (≥ 2 % of the largest) were found,
 * - the kept ink covers more than COVERAGE_MAX of the picture.
 * Calibrated in digit-likeness.test.ts on generated digit photos (none
 * warned), and on the sample photos, crops of them and noise.
 *
 * Why not the model's own view: the softmax said "2, 86.9 % sure" of a
 * motorcycle, and the class-conditional Mahalanobis distance in the last
 * hidden layer (Lee et al. 2018) did not separate the cleaned-up non-digits
 * from held-out MNIST either (figures in docs/notes-newexplain.md): once a
 * scene is cropped, thresholded and centred in 20×20 it is a plausible blob of
 * strokes. What gives it away is what the clean-up had to throw away.
 *
 * Drawings and clean scans never go through the photo clean-up, so they are
 * never flagged (a clean drawing of something that is not a digit is not
 * caught: the measure is about photos). Pure TypeScript.
 */
import type { PhotoInk } from './photo-ink';

/** Below this share of the thresholded ink kept, the photo was mostly clutter (generated digit photos: ≥ 0.958). */
export const KEPT_MIN = 0.9;
/** More sizeable pieces than this is a scene, not a digit (generated digit photos: ≤ 2). */
export const PIECES_MAX = 4;
/** Kept ink covering more than this share of the picture is texture or noise (generated digit photos: ≤ 0.10; noise: ≥ 0.43). */
export const COVERAGE_MAX = 0.38;

export interface DigitLikeness {
  isUnlike: boolean;
  /** What gave it away, in words for the user; null when it looks like a digit. */
  reason: string | null;
}

/** The verdict on a cleaned-up photo; `null` (the clean-background path: drawings, scans) is always digit-like. */
export function photoLikeness(photo: Pick<PhotoInk, 'keptFraction' | 'sizeableComponents' | 'coverage'> | null): DigitLikeness {
  if (!photo) return { isUnlike: false, reason: null };
  const reasons: string[] = [];
  if (photo.keptFraction < KEPT_MIN) {
    reasons.push(`only ${Math.round(100 * photo.keptFraction)} % of its dark marks belong to one shape`);
  }
  if (photo.sizeableComponents > PIECES_MAX) reasons.push(`it has ${photo.sizeableComponents} separate dark shapes, where a digit has one or two`);
  if (photo.coverage > COVERAGE_MAX) reasons.push(`dark marks cover ${Math.round(100 * photo.coverage)} % of it, where a digit covers a few`);
  return reasons.length === 0 ? { isUnlike: false, reason: null } : { isUnlike: true, reason: reasons.join('; ') };
}

/** The sentence the Explain panel shows for an unlike input. */
export function notADigitMessage(likeness: DigitLikeness): string | null {
  if (!likeness.isUnlike) return null;
  return `This picture does not look like a handwritten digit (${likeness.reason}). The model only knows digits, so it will still name one, but the answer and its explanation mean little here. Try a photo of a single digit on plain paper, or draw one.`;
}
