import { useEffect, useRef, useState, type ReactNode } from 'react';

interface ImageDropZoneProps {
  /** Called with the chosen, dropped or pasted file. */
  onFile: (file: File) => void;
  /** data-testid of the file input (tests set files on it); the visible button gets `${testId}-button`. */
  testId: string;
  label: string;
  /** Listen for paste (Ctrl+V) on the document only while the panel is visible. */
  isActive?: boolean;
  /** The muted hint beside the button (default: drop or paste). */
  hint?: string;
  children?: ReactNode;
}

function firstImageFile(list: FileList | DataTransferItemList | null | undefined): File | null {
  if (!list) return null;
  for (const item of Array.from(list as ArrayLike<File | DataTransferItem>)) {
    const file = item instanceof File ? item : item.kind === 'file' ? item.getAsFile() : null;
    if (file) return file;
  }
  return null;
}

/** A file picker that also accepts drag-and-drop and paste. Any file is passed on; decoding decides. */
export function ImageDropZone({ onFile, testId, label, isActive = true, hint = 'or drop / paste an image', children }: ImageDropZoneProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [isDragging, setIsDragging] = useState(false);

  useEffect(() => {
    if (!isActive) return;
    const onPaste = (event: ClipboardEvent) => {
      const file = firstImageFile(event.clipboardData?.files) ?? firstImageFile(event.clipboardData?.items);
      if (file) {
        event.preventDefault();
        onFile(file);
      }
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [isActive, onFile]);

  return (
    <div
      className={`drop-zone ${isDragging ? 'drop-zone-active' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setIsDragging(true);
      }}
      onDragLeave={() => setIsDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setIsDragging(false);
        const file = firstImageFile(e.dataTransfer.files);
        if (file) onFile(file);
      }}
    >
      {/* The button is the one focusable control (Enter and Space open the chooser, its focus ring is its own);
          the file input behind it is hidden from tab order and screen readers. */}
      <button type="button" className="btn" data-testid={`${testId}-button`} onClick={() => inputRef.current?.click()}>
        {label}
      </button>
      <input
        ref={inputRef}
        type="file"
        accept="image/*"
        hidden
        tabIndex={-1}
        data-testid={testId}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onFile(file);
        }}
      />
      <span className="muted drop-hint">{hint}</span>
      {children}
    </div>
  );
}
