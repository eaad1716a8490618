import { useId } from 'react';
import { classLabel, type InputSpec } from '../../engine/models/model-spec';
import type { PhotoReferenceKind } from '../../engine/image/photo-preprocess';
import { selectedModel, useModelsStore } from '../../state/models-store';
import { usePhotoExplainStore } from '../../state/photo-explain-store';
import type { ExplainRule } from '../../workers/explain-protocol';
import { HELP } from '../about/help-texts';
import { FieldLabel, HelpTip } from '../common/help-tip';
import { ClassPicker } from './class-picker';

function greyName(input: InputSpec): string {
  return input.scaling === 'signed' || input.scaling === 'imagenet' ? 'Uniform grey (the scaling’s zero)' : 'Uniform grey (mid grey)';
}

/** DeepLIFT's settings for a photo model: rule, target and contrast (searchable), softmax normalisation, reference. */
export function PhotoControls() {
  const id = useId();
  const spec = useModelsStore(selectedModel);
  const settings = usePhotoExplainStore((s) => s.settings);
  const predicted = usePhotoExplainStore((s) => s.result?.predicted ?? null);
  const update = usePhotoExplainStore((s) => s.updateSettings);
  const target = settings.target ?? predicted;
  return (
    <div className="explain-controls">
      <div className="fields">
        <div className="field">
          <FieldLabel htmlFor={`${id}-rule`} label="Rule" topic="the rule (Rescale or RevealCancel)" help={HELP.rule} />
          <select id={`${id}-rule`} data-testid="rule-select" value={settings.rule} onChange={(e) => update({ rule: e.target.value as ExplainRule })}>
            <option value="rescale">Rescale</option>
            <option value="revealcancel">RevealCancel</option>
          </select>
        </div>
        <ClassPicker
          label="Explain class"
          help={HELP.photoTarget}
          topic="the explained class"
          testId="target-select"
          value={settings.target}
          emptyLabel={`predicted${predicted !== null ? ` (${classLabel(spec.labels, predicted)})` : ''}`}
          numClasses={spec.numClasses}
          labels={spec.labels}
          onChange={(v) => update({ target: v })}
        />
        <ClassPicker
          label="Rather than"
          help={HELP.contrast}
          topic="“rather than”"
          testId="contrast-select"
          value={settings.contrast}
          emptyLabel="none (target alone)"
          numClasses={spec.numClasses}
          labels={spec.labels}
          disabledIndex={target}
          onChange={(v) => update({ contrast: v })}
        />
        <div className="field">
          <FieldLabel htmlFor={`${id}-reference`} label="Reference" topic="the reference" help={HELP.photoReference} />
          <select id={`${id}-reference`} data-testid="reference-select" value={settings.reference} onChange={(e) => update({ reference: e.target.value as PhotoReferenceKind })}>
            <option value="black">Black image</option>
            <option value="grey">{greyName(spec.input)}</option>
            <option value="blurred">Blurred photo</option>
            <option value="shap">DeepLIFT-SHAP: 8 blurred and noisy references</option>
          </select>
        </div>
        <label className="photo-check">
          <input type="checkbox" data-testid="softmax-normalize" checked={settings.softmaxNormalize} onChange={(e) => update({ softmaxNormalize: e.target.checked })} />
          Softmax normalisation (t − mean logit)
        </label>
        <HelpTip topic="softmax normalisation">{HELP.photoSoftmax}</HelpTip>
      </div>
    </div>
  );
}
