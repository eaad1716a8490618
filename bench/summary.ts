/**
 * Turns bench/results.json's object into bench/summary.md: one table of the
 * figures we judge (ratios first, then the browser's sizes and times), with
 * the machine, browser and backend they were taken on. Unknown keys are left
 * to the JSON; missing ones show as "—".
 */
type Results = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function fmt(v: unknown, unit = ''): string {
  const n = num(v);
  if (n === null) return '—';
  return `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 3 : 1)}${unit}`;
}

function kib(v: unknown): string {
  const n = num(v);
  return n === null ? '—' : `${(n / 1024).toFixed(0)} KiB`;
}

function get(results: Results, ...keys: string[]): unknown {
  let v: unknown = results;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Results)[k] : undefined;
  return v;
}

/** The markdown summary of one benchmark run. */
export function summaryMarkdown(results: Results): string {
  const rows: [string, string, string][] = [];
  const row = (what: string, value: string, target = '') => rows.push([what, value, target]);
  const targets = (get(results, 'explain_targets') ?? {}) as Results;

  row('DeepLIFT Rescale, one class ÷ plain gradient', fmt(results.explain_single_over_grad, '×'), `≤ ${fmt(targets.single)}×`);
  row('DeepLIFT Rescale, all ten classes ÷ plain gradient', fmt(results.explain_all_over_grad, '×'), `≤ ${fmt(targets.all)}×`);
  row('DeepLIFT RevealCancel, one class ÷ plain gradient', fmt(results.explain_revealcancel_single_over_grad, '×'));
  row('DeepLIFT RevealCancel, all ten ÷ plain gradient', fmt(results.explain_revealcancel_all_over_grad, '×'));
  row('DeepLIFT Rescale, batch of 32 digits, per image ÷ plain gradient', fmt(results.explain_batch32_per_image_over_grad, '×'));
  const captum = (get(results, 'methods_captum') ?? {}) as Results;
  row('DeepLIFT Rescale, batch of 32 digits, ms per image', fmt(results.explain_batch32_per_image_ms, ' ms'),
    num(captum.deeplift_batch32_ms_per_image) === null ? '' : `< ${fmt(captum.deeplift_batch32_ms_per_image)} ms (Captum)`);
  row('MobileNetV2 224²: Rescale, one class ÷ plain gradient', fmt(results.explain_mobilenetv2_single_over_grad, '×'), `≤ ${fmt(targets.single)}×`);
  row('MobileNetV2 224²: Rescale, top-5 in one pass ÷ plain gradient', fmt(results.explain_mobilenetv2_top5_over_grad, '×'), `≤ ${fmt(targets.top5)}×`);
  row('MobileNetV2 224²: RevealCancel, one class ÷ plain gradient', fmt(results.explain_mobilenetv2_revealcancel_over_grad, '×'), `≤ ${fmt(targets.revealcancel)}×`);
  row('MobileNetV2 224²: peak tensor bytes, Rescale ÷ one gradient', fmt(results.explain_mobilenetv2_peak_bytes_over_grad, '×'), `≤ ${fmt(targets.peak_bytes)}×`);
  row('MobileNetV2 224²: peak tensor bytes, top-5 ÷ one gradient', fmt(results.explain_mobilenetv2_top5_peak_bytes_over_grad, '×'), `≤ ${fmt(targets.peak_bytes)}×`);
  row('MobileNetV2 224²: peak tensor bytes, RevealCancel ÷ one gradient', fmt(results.explain_mobilenetv2_revealcancel_peak_bytes_over_grad, '×'), `≤ ${fmt(targets.peak_bytes)}×`);
  const methodTargets = (get(results, 'methods_targets') ?? {}) as Results;
  for (const [key, value] of Object.entries(results)) {
    const m = /^method_(.+)_over_grad$/.exec(key);
    const target = m ? num(methodTargets[m[1]]) : null;
    if (m) row(`Attribution method ${m[1]} ÷ plain gradient`, fmt(value, '×'), target === null ? '' : `≤ ${fmt(target)}× (Captum${m[1] === 'deeplift-revealcancel' ? ' Rescale × 2' : ''})`);
  }
  row('Dream step ÷ bare forward+gradient (engine, Node WASM)', fmt(results.dream_step_over_bare_engine, '×'), '≤ 1.15×');
  row('Dream step ÷ bare forward+gradient (browser pipeline, WASM)', fmt(results.dream_step_over_bare, '×'), '≤ 1.15×');
  row('Longest main-thread task during a dream', fmt(results.dream_longest_main_task_ms, ' ms'), '< 50 ms');
  row('Longest main-thread task while drawing with live explanations', fmt(results.explain_draw_longest_main_task_ms, ' ms'), '< 50 ms');
  row('Time to first dream frame (model loaded)', fmt(results.dream_first_frame_ms, ' ms'));
  row('Time to interactive (built app)', fmt(results.tti_ms, ' ms'));
  row('Your own MobileNetV2 (224², WASM): upload → ready', fmt(results.user_model_mobilenetv2_load_ms, ' ms'));
  row('Your own MobileNetV2 (224², WASM): photo → top-5 and heatmap', fmt(results.photo_explain_mobilenetv2_ms, ' ms'));
  row('Production bundle loaded, gzip (JS + CSS + WASM)', kib(results.bundle_gzip_total_bytes));
  row('Main-thread entry, gzip', kib(results.bundle_entry_gzip_bytes));
  const models = (results.model_bytes ?? {}) as Results;
  const loads = (results.model_load_ms ?? {}) as Results;
  for (const name of Object.keys(models)) {
    row(`Model ${name}: download size`, kib(models[name]));
    row(`Model ${name}: load time in its worker`, fmt(loads[name], ' ms'));
  }

  const machine = (get(results, 'browser_bench', 'machine') ?? {}) as Results;
  const lines = [
    '# Benchmark summary',
    '',
    `Generated by \`npm run bench\` on ${String(results.date ?? '?')} from bench/results.json.`,
    '',
    '| Figure | Value | Target |',
    '| --- | --- | --- |',
    ...rows.map(([a, b, c]) => `| ${a} | ${b} | ${c} |`),
    '',
    `- Machine: ${String(machine.cpu ?? '?')}, ${String(machine.cores ?? '?')} cores, ${String(machine.memory_gib ?? '?')} GiB, ${String(machine.platform ?? '?')}; no GPU.`,
    `- Node ${String(results.node ?? '?')}; engine benchmarks on the ${String(results.explain_backend ?? get(results, 'dream_engine_bench', 'backend') ?? '?')} backend.`,
    `- Browser: ${String(get(results, 'browser_bench', 'browser') ?? '?')}, backend ${String(get(results, 'browser_bench', 'backend') ?? '?')}.`,
    '- Engine ratios come from interleaved runs (each round in a seeded random order) and wall-clock medians in one process; CPU-time medians are in results.json. Absolute times are context only (shared CPU, no GPU).',
    '- Every explain and methods ratio is over one baseline: the plain input gradient of one logit through the logits function (bench/common.ts `plainGradient`). Captum\'s figures (issue 8) are its ratios over its own gradient on PyTorch CPU, one thread.',
  ];
  const errors = Object.entries(results).filter(([k]) => k.endsWith('_error'));
  if (errors.length > 0) lines.push('', '## Errors', '', ...errors.map(([k, v]) => `- ${k}: ${String(v)}`));
  return `${lines.join('\n')}\n`;
}
