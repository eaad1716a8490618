import { useState } from 'react';
import { BackendBadge, BackendNotice } from './backend-badge';
import { ComparePanel } from './compare/compare-panel';
import { DreamPanel } from './dream/dream-panel';
import { ExplainPanel } from './explain/explain-panel';

type Tab = 'explain' | 'dream' | 'compare';

/** Two panels as tabs; both stay mounted so switching never loses a drawing, a photo or a running dream. */
export function App() {
  const [tab, setTab] = useState<Tab>('explain');
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="brand">
          Dream<span>Lift</span>
        </h1>
        <nav className="tabs" role="tablist" aria-label="Panels">
          <button
            role="tab"
            id="tab-explain"
            aria-controls="panel-explain"
            aria-selected={tab === 'explain'}
            data-testid="tab-explain"
            onClick={() => setTab('explain')}
          >
            Explain
          </button>
          <button
            role="tab"
            id="tab-dream"
            aria-controls="panel-dream"
            aria-selected={tab === 'dream'}
            data-testid="tab-dream"
            onClick={() => setTab('dream')}
          >
            Dream
          </button>
          <button
            role="tab"
            id="tab-compare"
            aria-controls="panel-compare"
            aria-selected={tab === 'compare'}
            data-testid="tab-compare"
            onClick={() => setTab('compare')}
          >
            Compare
          </button>
        </nav>
        <BackendBadge />
      </header>
      <BackendNotice />
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
      </main>
      <footer className="app-footer">
        Everything runs on your device; nothing you draw or upload leaves it.
      </footer>
    </div>
  );
}
