import { useId } from 'react';
import { MAX_INPUT_SIDE, MIN_INPUT_SIDE, PIXEL_SCALINGS, SCALING_NAMES, type PixelScaling, type ResizeMode } from '../../engine/models/model-spec';
import { useModelsStore, type ModelSpec } from '../../state/models-store';

/** The selected model's input settings, guessed at load and editable: size (when dynamic), scaling, resize mode. */
export function InputSettings({ spec }: { spec: ModelSpec }) {
  const id = useId();
  const updateInput = useModelsStore((s) => s.updateInput);
  const { input } = spec;
  const side = (key: 'height' | 'width') => (
    <input
      id={`${id}-${key}`}
      type="number"
      min={MIN_INPUT_SIDE}
      max={MAX_INPUT_SIDE}
      value={input[key]}
      disabled={!input.isDynamic}
      data-testid={`input-${key}`}
      onChange={(e) => updateInput(spec.id, { [key]: Number(e.target.value) })}
    />
  );
  return (
    <fieldset className="input-settings" data-testid="input-settings">
      <legend>Input settings</legend>
      <div className="fields">
        <div className="field">
          <label htmlFor={`${id}-height`}>Size (H × W){input.isDynamic ? '' : ', fixed by the model'}</label>
          <span className="input-size">
            {side('height')} × <label htmlFor={`${id}-width`} className="visually-hidden">width</label>
            {side('width')}
          </span>
        </div>
        <div className="field">
          <span>Channels</span>
          <output data-testid="input-channels">{input.channels === 1 ? '1 (grayscale)' : '3 (RGB)'}</output>
        </div>
        <div className="field">
          <label htmlFor={`${id}-scaling`}>Pixel scaling</label>
          <select id={`${id}-scaling`} data-testid="input-scaling" value={input.scaling} onChange={(e) => updateInput(spec.id, { scaling: e.target.value as PixelScaling })}>
            {PIXEL_SCALINGS.map((s) => (
              <option key={s} value={s}>
                {SCALING_NAMES[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-resize`}>Resize</label>
          <select id={`${id}-resize`} data-testid="input-resize" value={input.resize} onChange={(e) => updateInput(spec.id, { resize: e.target.value as ResizeMode })}>
            <option value="crop">Centre crop</option>
            <option value="fit">Fit (pad with black)</option>
          </select>
        </div>
      </div>
    </fieldset>
  );
}
