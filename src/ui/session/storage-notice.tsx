import { useSessionStore } from '../../state/session-store';
import './session.css';

/** Says when the session is not being saved (storage full or unavailable); the app keeps working in memory. */
export function StorageNotice() {
  const notice = useSessionStore((s) => s.notice);
  const dismiss = useSessionStore((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div className="storage-notice" role="status" data-testid="storage-notice">
      <span>{notice}</span>
      <button type="button" className="dream-dismiss" aria-label="Dismiss the storage notice" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
