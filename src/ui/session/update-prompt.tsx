import { useAppUpdateStore } from '../../state/app-update-store';

/** "A new version is ready": reload into it, or keep working (it is used at the next visit). */
export function UpdatePrompt() {
  const isReady = useAppUpdateStore((s) => s.isUpdateReady);
  const applyUpdate = useAppUpdateStore((s) => s.applyUpdate);
  const dismiss = useAppUpdateStore((s) => s.dismiss);
  if (!isReady || !applyUpdate) return null;
  return (
    <div className="update-prompt" role="alert" data-testid="update-prompt">
      <span>A new version of DreamLift is ready. Your work is kept.</span>
      <button type="button" className="btn btn-primary" data-testid="update-reload" onClick={applyUpdate}>
        Reload
      </button>
      <button type="button" className="btn" onClick={dismiss}>
        Later
      </button>
    </div>
  );
}
