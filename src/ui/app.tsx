import { AboutView } from './about/about-view';
import { useTabStore } from '../state/tab-store';
import { BackendBadge, BackendNotice } from './backend-badge';
import { ComparePanel } from './compare/compare-panel';
import { DreamPanel } from './dream/dream-panel';
import { ExplainPanel } from './explain/explain-panel';
import { useUrlSettings } from './use-url-settings';
import { StartFresh } from './session/start-fresh';
import { StorageNotice } from './session/storage-notice';
import { UpdatePrompt } from './session/update-prompt';

type Tab = 'explain' | 'dream' | 'compare' | 'about';

const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'explain', label: 'Explain' },
  { id: 'dream', label: 'Dream' },
  { id: 'compare', label: 'Compare' },
  { id: 'about', label: 'About' },
];

/** The panels as tabs; all stay mounted so switching never loses a drawing, a photo or a running dream. */
export function App() {
  const stored = useTabStore((s) => s.tab);
  const setTab = useTabStore((s) => s.setTab);
  // The kept tab (session) if this app still has it.
  const tab: Tab = TABS.find((t) => t.id === stored)?.id ?? 'explain';
  useUrlSettings();
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">
          Dream<span>Lift</span>
        </h1>
        <nav className="tabs" role="tablist" aria-label="Panels">
          {TABS.map(({ id, label }) => (
            <button
              key={id}
              role="tab"
              id={`tab-${id}`}
              aria-controls={`panel-${id}`}
              aria-selected={tab === id}
              data-testid={`tab-${id}`}
              onClick={() => setTab(id)}
            >
              {label}
            </button>
          ))}
        </nav>
        <BackendBadge />
      </header>
      <BackendNotice />
      <StorageNotice />
      <UpdatePrompt />
      <main>
        <section id="panel-explain" role="tabpanel" aria-labelledby="tab-explain" hidden={tab !== 'explain'}>
          <ExplainPanel />
        </section>
        <section id="panel-dream" role="tabpanel" aria-labelledby="tab-dream" hidden={tab !== 'dream'}>
          <DreamPanel isActive={tab === 'dream'} />
        </section>
        <section id="panel-compare" role="tabpanel" aria-labelledby="tab-compare" hidden={tab !== 'compare'}>
          <ComparePanel isActive={tab === 'compare'} />
        </section>
        <section id="panel-about" role="tabpanel" aria-labelledby="tab-about" hidden={tab !== 'about'}>
          <AboutView />
        </section>
      </main>
      <footer className="app-footer">
        Everything runs on your device; nothing you draw or upload leaves it. Your work is kept on this device between visits.{' '}
        <StartFresh />
      </footer>
    </div>
  );
}
