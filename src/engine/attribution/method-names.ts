/**
 * The attribution methods' command-line names, labels and the masking
 * limit, without tfjs: the main thread (stores, components) imports these
 * without pulling tfjs into its bundle. methods.ts maps the names to code.
 */

export const METHOD_NAMES = [
  'gradient', 'guided-backprop', 'gradient-x-input', 'integrated-gradients',
  'deeplift-rescale', 'deeplift-revealcancel', 'deeplift-shap',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/** Human-readable labels for charts and the UI. */
export const METHOD_LABELS: Record<MethodName, string> = {
  gradient: 'Gradient (saliency)',
  'guided-backprop': 'Guided backprop',
  'gradient-x-input': 'Gradient × input',
  'integrated-gradients': 'Integrated gradients',
  'deeplift-rescale': 'DeepLIFT Rescale',
  'deeplift-revealcancel': 'DeepLIFT RevealCancel',
  'deeplift-shap': 'DeepLIFT-SHAP',
};

export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}

/** 20 % of 784 pixels: the most the masking experiment erases (Shrikumar et al. 2017 §4.1). */
export const MAX_ERASED_PIXELS = 157;
