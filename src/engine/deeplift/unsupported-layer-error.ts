/**
 * Error thrown when a model contains a layer (or a layer option) that the
 * DeepLIFT engine has no rule for. The message names the layer and its
 * class, e.g. `layer "lstm_1" (LSTM) is not supported by DeepLIFT: ...`.
 * `name` is set so that it survives Comlink's structured clone.
 */
export class UnsupportedLayerError extends Error {
  constructor(layerName: string, className: string, reason: string) {
    super(`layer "${layerName}" (${className}) is not supported by DeepLIFT: ${reason}`);
    this.name = 'UnsupportedLayerError';
  }
}
