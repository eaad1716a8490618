import { attributionsCsv, attributionsJson, downloadBlob, downloadCanvasPng } from './export-files';

interface ExportButtonsProps {
  /** The canvas to save as PNG (what the user sees). */
  getCanvas: () => HTMLCanvasElement | null;
  /** The raw scores, 784 values row-major. */
  values: Float32Array;
  /** What they explain (method, target, contrast, reference, Σ, Δt…), written into the JSON. */
  meta: Record<string, unknown>;
  /** The 28×28 input the scores are about (written into the JSON). */
  input?: Float32Array | null;
  /** File name without extension, e.g. "deeplift-rescale-class-7". */
  baseName: string;
  /** Names the map for screen readers ("Download … of the Gradient map"). */
  what: string;
  testId: string;
  /** The map's size (default 28 × 28, the digit model's). */
  height?: number;
  width?: number;
}

/** PNG · JSON · CSV downloads of one attribution map. */
export function ExportButtons({ getCanvas, values, meta, input = null, baseName, what, testId, height = 28, width = height }: ExportButtonsProps) {
  return (
    <div className="export-buttons" role="group" aria-label={`Download ${what}`} data-testid={testId}>
      <button
        type="button"
        className="btn btn-small"
        aria-label={`Download ${what} as a PNG image`}
        onClick={() => {
          const canvas = getCanvas();
          if (canvas) void downloadCanvasPng(canvas, `${baseName}.png`);
        }}
      >
        PNG
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-label={`Download the raw scores of ${what} as JSON`}
        onClick={() => downloadBlob(new Blob([attributionsJson(meta, values, input, height, width)], { type: 'application/json' }), `${baseName}.json`)}
      >
        JSON
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-label={`Download the raw scores of ${what} as CSV`}
        onClick={() => downloadBlob(new Blob([attributionsCsv(values, height, width)], { type: 'text/csv' }), `${baseName}.csv`)}
      >
        CSV
      </button>
    </div>
  );
}
