/**
 * An objective sequence across a film: a list of layers or filters (e.g.
 * mixed3 → mixed4 → mixed5, or mixed4:17 → mixed4:300 → mixed5) spread evenly
 * over the frames, each frame climbing a weighted mix of the two neighbouring
 * objectives whose weights follow a smoothstep, so the motifs change
 * gradually rather than at a cut. Pure helpers, no tensors, so the UI can
 * show the mix of any frame.
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

/** One objective of a sequence: a whole layer, or one filter (channel) of it. */
export interface ObjectiveTerm {
  name: string;
  /** The filter, or null for the whole layer. */
  channel: number | null;
}

/**
 * "mixed4" → the whole layer; "mixed4:17" → filter 17 of mixed4. Throws
 * RangeError for a filter that is not a whole number ≥ 0 (the layer's channel
 * count is checked by whoever knows the model).
 */
export function parseObjectiveTerm(term: string): ObjectiveTerm {
  const colon = term.lastIndexOf(':');
  if (colon < 0) return { name: term, channel: null };
  const name = term.slice(0, colon);
  const filter = term.slice(colon + 1);
  if (name === '' || !/^\d+$/.test(filter)) throw new RangeError(`“${term}” is not a layer or layer:filter (e.g. mixed4:17)`);
  return { name, channel: Number(filter) };
}

/** A frame's mix as dream layers: each weighted term with its filter, if any. */
export function mixLayers(mix: readonly WeightedLayer[]): { name: string; weight: number; channel?: number }[] {
  return mix.map(({ name: term, weight }) => {
    const { name, channel } = parseObjectiveTerm(term);
    return channel === null ? { name, weight } : { name, weight, channel };
  });
}
