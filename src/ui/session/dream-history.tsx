import { useEffect, useState } from 'react';
import { HISTORY_BOUND } from '../../session/dream-history';
import { deleteDream, reopenDream, useDreamHistoryStore } from '../../state/persistence';
import { downloadBlob } from '../common/download';

/** The last dreams (newest first, at most HISTORY_BOUND): reopen one on the canvas, or download it. */
export function DreamHistory() {
  const entries = useDreamHistoryStore((s) => s.entries);
  // Object URLs for the thumbnails, made and revoked in an effect (never in render).
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = entries.map((e) => URL.createObjectURL(e.thumbnail));
    setUrls(made);
    return () => made.forEach((u) => URL.revokeObjectURL(u));
  }, [entries]);
  return (
    <section className="dream-history" aria-labelledby="dream-history-title" data-testid="dream-history">
      <h3 id="dream-history-title">Recent dreams</h3>
      <p className="muted section-note">The last {HISTORY_BOUND} are kept on this device; older ones are dropped.</p>
      {entries.length === 0 ? <p className="muted">None yet: finished and cancelled dreams appear here.</p> : null}
      <ol className="dream-history-list">
        {entries.map((entry, i) => {
          const when = new Date(entry.createdAt).toLocaleString();
          const what = `${entry.layer}, ${entry.width}×${entry.height}${entry.isPartial ? ', cancelled' : ''}`;
          return (
            <li key={entry.id} className="dream-history-item" data-testid="dream-history-item">
              {urls[i] ? <img src={urls[i]} alt={`Dream of ${when} (${what})`} /> : null}
              <span className="muted">{what}</span>
              <button type="button" className="btn" data-testid="dream-history-open" onClick={() => void reopenDream(entry.id)}>
                Open
              </button>
              <button
                type="button"
                className="btn"
                data-testid="dream-history-download"
                onClick={() => downloadBlob(entry.image, `dreamlift-${entry.layer}-${entry.width}x${entry.height}.png`)}
              >
                Download
              </button>
              <button type="button" className="dream-dismiss" aria-label={`Remove the dream of ${when}`} onClick={() => void deleteDream(entry.id)}>
                ×
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
