import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';

interface HelpTipProps {
  /** What the help is about, read as the button's name: "What is Rescale?". */
  topic: string;
  /** The explanation: two short sentences in plain words. */
  children: string;
}

/**
 * A "?" beside a control that a newcomer may not understand. The button says
 * whether its note is open (aria-expanded) and points at it (aria-controls);
 * the note follows the button in reading order, so a screen reader reaches it
 * next, and it is also announced as the button's description. Escape or a
 * click elsewhere closes it; focus stays on the button.
 */
export function HelpTip({ topic, children }: HelpTipProps) {
  const [isOpen, setIsOpen] = useState(false);
  const id = useId();
  const rootRef = useRef<HTMLSpanElement>(null);
  const noteRef = useRef<HTMLSpanElement>(null);
  const [shift, setShift] = useState(0);

  // Keep the note on screen: near the right edge it opens towards the left.
  useLayoutEffect(() => {
    if (!isOpen) {
      setShift(0);
      return;
    }
    const rect = noteRef.current?.getBoundingClientRect();
    const overflow = rect ? rect.right - (document.documentElement.clientWidth - 8) : 0;
    if (overflow > 0) setShift(-overflow);
  }, [isOpen]);

  useEffect(() => {
    if (!isOpen) return;
    const onPointer = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setIsOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [isOpen]);

  return (
    <span
      className="help-tip"
      ref={rootRef}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && isOpen) {
          // Handled here: Escape must not also cancel a dream or close anything else.
          e.stopPropagation();
          e.preventDefault();
          setIsOpen(false);
          rootRef.current?.querySelector('button')?.focus();
        }
      }}
    >
      <button
        type="button"
        className="help-tip-button"
        aria-label={`What is ${topic}?`}
        aria-expanded={isOpen}
        aria-controls={id}
        aria-describedby={isOpen ? id : undefined}
        data-testid="help-tip"
        onClick={() => setIsOpen((open) => !open)}
      >
        ?
      </button>
      <span id={id} ref={noteRef} role="note" className="help-tip-note" hidden={!isOpen} style={shift ? { transform: `translateX(${shift}px)` } : undefined}>
        {children}
      </span>
    </span>
  );
}

/** A field's label with an optional "?" help beside it (outside the label, so the label still focuses its control). */
export function FieldLabel({ htmlFor, label, help, topic }: { htmlFor: string; label: string; help?: string; topic?: string }) {
  return (
    <span className="field-label">
      <label htmlFor={htmlFor}>{label}</label>
      {help ? <HelpTip topic={topic ?? label.toLowerCase()}>{help}</HelpTip> : null}
    </span>
  );
}
