/**
 * Facts about the shipped InceptionV3 trunk that the main thread needs
 * (layer names, input mapping, smallest side) without importing tfjs.
 */
/** The layers of the shipped trunk that Deep Dream may target, in order. */
export const TRUNK_LAYERS = ['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'] as const;

/**
 * The shipped trunk's preprocessing: model input = pixels255 / 255, so the
 * model's input range is [0, 1] (nsfwjs's own preprocessing; its batch-norm
 * statistics fit it better than Keras's x/127.5 − 1, measured in the card).
 */
export const TRUNK_INPUT = { scale: 1 / 255, offset: 0, min: 0, max: 1 } as const;

/** The trunk's smallest valid input side (px): below 43, mixed3 … mixed5 have no pixels. */
export const TRUNK_MIN_SIDE = 43;
