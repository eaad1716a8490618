/**
 * The attribution methods by their command-line names, all with one
 * signature and one result shape (attribution.ts), so the CLI, the worker,
 * the benchmark and the masking experiment can loop over them:
 * gradient (saliency), guided-backprop, gradient-x-input,
 * integrated-gradients, deeplift-rescale, deeplift-revealcancel,
 * deeplift-shap. Every method targets a pre-softmax logit (or the
 * difference target − contrast).
 */
import * as tf from '@tensorflow/tfjs';
import { deepLift, type DeepLiftRule } from '../deeplift/deeplift';
import type { AttributionOptions, AttributionResult } from './attribution';
import { deepLiftShap } from './deeplift-shap';
import { gradientSaliency } from './gradient';
import { gradientTimesInput } from './gradient-x-input';
import { guidedBackprop } from './guided-backprop';
import { integratedGradients } from './integrated-gradients';
import type { MethodName } from './method-names';

/** Explains `input` ([1, ...shape]); disposes nothing it was given, everything it created. */
export type AttributionMethod = (
  model: tf.LayersModel, input: tf.Tensor, options?: AttributionOptions,
) => Promise<AttributionResult>;

export { METHOD_LABELS, METHOD_NAMES, isMethodName, type MethodName } from './method-names';

function deepLiftMethod(rule: DeepLiftRule, method: MethodName): AttributionMethod {
  return async (model, input, options = {}) => {
    const r = await deepLift(model, input, {
      rule, target: options.target, contrast: options.contrast ?? null, reference: options.reference,
    });
    return {
      method, shape: r.shape, attributions: r.attributions, target: r.target, contrast: r.contrast,
      sum: r.sum, delta: r.delta, completenessError: Math.abs(r.sum - r.delta), logits: r.logits,
    };
  };
}

/** Name → method. */
export const ATTRIBUTION_METHODS: Record<MethodName, AttributionMethod> = {
  gradient: gradientSaliency,
  'guided-backprop': guidedBackprop,
  'gradient-x-input': gradientTimesInput,
  'integrated-gradients': integratedGradients,
  'deeplift-rescale': deepLiftMethod('rescale', 'deeplift-rescale'),
  'deeplift-revealcancel': deepLiftMethod('revealcancel', 'deeplift-revealcancel'),
  'deeplift-shap': deepLiftShap,
};

