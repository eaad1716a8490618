import { useEffect, useMemo } from 'react';
import { INCEPTION_MODEL_ID } from '../../workers/dream-protocol';
import { useDreamStore } from '../../state/dream-store';
import { dreamableModels, dreamModelSpec, followModelCatalogue } from '../../state/dream-models';
import { useModelsStore } from '../../state/models-store';
import { MIN_PHOTO_SIDE } from './photo-loader';

/**
 * Which network Dream looks into (`dream-model-select`): the built-in
 * InceptionV3 or one of the user's own models from Explain's model bar,
 * by name. A user model's layers come from the worker once it is loaded.
 */
export function DreamModelPicker() {
  const models = useModelsStore((s) => s.models);
  const modelId = useDreamStore((s) => s.settings.modelId);
  const userModel = useDreamStore((s) => s.userModel);
  const status = useDreamStore((s) => s.model);
  const notice = useDreamStore((s) => s.modelNotice);
  const chooseModel = useDreamStore((s) => s.chooseModel);
  const own = useMemo(() => dreamableModels(models), [models]);

  useEffect(() => followModelCatalogue(), []);

  const onChange = (id: string) => {
    const spec = own.find((m) => m.id === id);
    void chooseModel(spec ? dreamModelSpec(spec) : null);
  };

  let hint: string;
  if (modelId === INCEPTION_MODEL_ID) {
    hint = own.length > 0 ? 'The built-in network, or one of your own models.' : 'Load your own model in Explain’s model bar to dream with it here.';
  } else if (!userModel?.layers) {
    hint = status === 'error' ? 'Its layers could not be read.' : 'Reading its layers…';
  } else {
    const spec = own.find((m) => m.id === userModel.id);
    const made = spec ? (spec.input.isDynamic ? ' It takes any input size' : ` Made for ${spec.input.width}×${spec.input.height}`) : '';
    const min = (userModel.minSide ?? 1) > MIN_PHOTO_SIDE ? `; photos need at least ${userModel.minSide} px a side` : '';
    const grey = spec?.input.channels === 1 ? ' A grey model: it sees the photo’s brightness and adds grey detail.' : '';
    hint = `${userModel.layers.length} layers to dream with.${made ? `${made}, it dreams at the photo’s own size${min}.` : ''}${grey}`;
  }
  // A restored choice whose model is not listed yet keeps its own entry, so the select shows it.
  const isListed = modelId === INCEPTION_MODEL_ID || own.some((m) => m.id === modelId);

  return (
    <div className="dream-field">
      <label htmlFor="dream-model">Model</label>
      <div className="dream-field-body">
        <select id="dream-model" data-testid="dream-model-select" value={modelId} onChange={(e) => onChange(e.target.value)}>
          <option value={INCEPTION_MODEL_ID}>InceptionV3 (built in)</option>
          {own.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
          {!isListed ? <option value={modelId}>{userModel?.name ?? 'your model'}</option> : null}
        </select>
        <span className="dream-hint muted" data-testid="dream-model-hint">{hint}</span>
        {notice ? (
          <span className="dream-hint" role="status" data-testid="dream-model-notice">
            {notice}
          </span>
        ) : null}
      </div>
    </div>
  );
}
