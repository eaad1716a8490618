import { useEffect, useId, useState } from 'react';
import { formatBytes } from '../../engine/models/model-spec';
import { selectedModel, useModelsStore } from '../../state/models-store';
import { droppedFiles } from './dropped-files';
import { InputSettings } from './input-settings';
import './models.css';

/**
 * Which model Explain works on (`model-select`), and how to bring one:
 * model.json with its .bin shards and optional labels (`model-upload`, several
 * files), a whole folder (picked or dropped), or a URL on this site.
 */
export function ModelBar() {
  const id = useId();
  const models = useModelsStore((s) => s.models);
  const selectedId = useModelsStore((s) => s.selectedId);
  const adding = useModelsStore((s) => s.adding);
  const spec = useModelsStore(selectedModel);
  const { select, addFromFiles, addFromUrl, remove, hydrate } = useModelsStore.getState();
  const [url, setUrl] = useState('');
  const [isDragging, setIsDragging] = useState(false);

  useEffect(() => {
    void hydrate();
  }, [hydrate]);

  const onFiles = (list: FileList | null, input: HTMLInputElement) => {
    const files = Array.from(list ?? []);
    input.value = '';
    void addFromFiles(files);
  };

  return (
    <section
      className={`card explain-card model-bar ${isDragging ? 'drop-zone-active' : ''}`}
      aria-labelledby={`${id}-title`}
      onDragOver={(e) => {
        e.preventDefault();
        setIsDragging(true);
      }}
      onDragLeave={() => setIsDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setIsDragging(false);
        void droppedFiles(e.dataTransfer).then((files) => addFromFiles(files));
      }}
    >
      <h2 id={`${id}-title`} className="visually-hidden">Model</h2>
      <div className="model-row">
        <label htmlFor={`${id}-select`}>Model</label>
        <select id={`${id}-select`} data-testid="model-select" value={selectedId} onChange={(e) => select(e.target.value)}>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        {spec.source !== 'builtin' ? (
          <button type="button" className="btn" data-testid="model-remove" onClick={() => void remove(spec.id)} aria-label={`Remove the model ${spec.name}`}>
            Remove
          </button>
        ) : null}
        <label className="btn" htmlFor={`${id}-upload`}>
          Load model files…
        </label>
        <input
          id={`${id}-upload`}
          type="file"
          multiple
          accept=".json,.bin,.txt,application/json"
          className="visually-hidden"
          data-testid="model-upload"
          onChange={(e) => onFiles(e.target.files, e.target)}
        />
        <label className="btn" htmlFor={`${id}-folder`}>
          Load a folder…
        </label>
        <input
          id={`${id}-folder`}
          type="file"
          className="visually-hidden"
          data-testid="model-upload-folder"
          {...{ webkitdirectory: '' }}
          onChange={(e) => onFiles(e.target.files, e.target)}
        />
        <form
          className="model-url"
          onSubmit={(e) => {
            e.preventDefault();
            void addFromUrl(url);
          }}
        >
          <input type="text" aria-label="model.json URL on this site" placeholder="/models/my-model/model.json" value={url} onChange={(e) => setUrl(e.target.value)} />
          <button type="submit" className="btn" disabled={!url.trim()}>
            Load URL
          </button>
        </form>
        {adding ? (
          <span className="muted" role="status" data-testid="model-adding">
            Loading {adding}… <span className="spinner" aria-hidden="true" />
          </span>
        ) : null}
      </div>
      <p className="muted section-note">
        A TensorFlow.js LayersModel (model.json with its .bin files, as tensorflowjs_converter writes a Keras model), optionally with labels.txt. Drop the files or the
        folder here. Nothing leaves this device.
        {spec.source !== 'builtin' ? ` ${spec.name}: ${spec.numClasses} classes, ${formatBytes(spec.weightBytes)} of weights.` : ''}
      </p>
      {spec.source !== 'builtin' ? <InputSettings spec={spec} /> : null}
    </section>
  );
}
