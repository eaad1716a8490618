/**
 * An objective sequence across a film: a list of layers (e.g. mixed3 →
 * mixed4 → mixed5) spread evenly over the frames, each frame climbing a
 * weighted mix of the two neighbouring layers whose weights follow a
 * smoothstep, so the motifs change gradually rather than at a cut. Pure
 * helpers, no tensors, so the UI can show the mix of any frame.
 */

export interface WeightedLayer {
  name: string;
  weight: number;
}

/** 3t² − 2t³: 0 at 0, 1 at 1, flat at both ends, so a blend starts and ends gently. */
export function smoothstep(t: number): number {
  const x = Math.min(1, Math.max(0, t));
  return x * x * (3 - 2 * x);
}

/**
 * The layer mix of frame `index` (0-based) of a `frames`-frame film whose
 * objectives are `sequence` (first at frame 0, last at the final frame).
 * One entry when the frame sits on a key (or the sequence has one layer);
 * otherwise two with weights summing to 1. Adjacent equal names merge.
 */
export function objectiveAt(sequence: readonly string[], index: number, frames: number): WeightedLayer[] {
  if (sequence.length === 0) throw new RangeError('the objective sequence is empty');
  if (sequence.length === 1 || frames <= 1) return [{ name: sequence[0]!, weight: 1 }];
  const t = (Math.min(Math.max(index, 0), frames - 1) / (frames - 1)) * (sequence.length - 1);
  const i = Math.min(sequence.length - 2, Math.floor(t));
  const f = smoothstep(t - i);
  const a = sequence[i]!;
  const b = sequence[i + 1]!;
  if (f <= 0 || a === b) return [{ name: a, weight: 1 }];
  if (f >= 1) return [{ name: b, weight: 1 }];
  return [
    { name: a, weight: 1 - f },
    { name: b, weight: f },
  ];
}
