/**
 * Downloads of what the user sees: a heatmap canvas as PNG, and the raw
 * attributions behind it as JSON (with what they explain) or CSV (a 28×28
 * grid, one image row per line). Everything is made on the device; nothing
 * is uploaded. Object URLs are revoked right after the click.
 */

/** Attributions as CSV: `side` lines of `width` (default `side`) comma-separated numbers (full float32 precision), row-major. */
export function attributionsCsv(values: ArrayLike<number>, side = 28, width = side): string {
  const lines: string[] = [];
  for (let y = 0; y < side; y++) {
    const row: string[] = [];
    for (let x = 0; x < width; x++) row.push(String(values[y * width + x] ?? 0));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Attributions as JSON: `meta` (what they explain), then shape, the values and, when given, the model input. */
export function attributionsJson(meta: Record<string, unknown>, values: ArrayLike<number>, input?: ArrayLike<number> | null, side = 28, width = side): string {
  return `${JSON.stringify({ ...meta, shape: [side, width], attributions: Array.from(values), ...(input ? { input: Array.from(input) } : {}) }, null, 1)}\n`;
}

/** Saves `blob` as `fileName` through a temporary link. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoke after the click has been handled (a same-tick revoke can cancel the download in some browsers).
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Saves a canvas as PNG; resolves false when the browser could not encode it. */
export function downloadCanvasPng(canvas: HTMLCanvasElement, fileName: string): Promise<boolean> {
  return new Promise((resolve) => {
    canvas.toBlob((blob) => {
      if (blob) downloadBlob(blob, fileName);
      resolve(blob !== null);
    }, 'image/png');
  });
}
