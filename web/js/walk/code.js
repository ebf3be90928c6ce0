// The code beside the maths: for each step, the lines of the engine's plain
// one-point pass (net/reference.rs, or teach/inspect.rs for the update) that
// compute it, read from the source the engine was compiled from
// (`Playground.engineSource`). Lines are found by their text, so a change to
// the engine that drops one shows up as a message, not as a wrong highlight.
import { el } from '../dom.js';

const CONTEXT = 3; // lines shown around the highlighted ones

/** The file and the exact (trimmed) lines that compute `stage`. */
export function linesFor(stage, layers) {
  const last = layers - 1;
  if (stage.kind === 'forward') {
    return stage.layer === last
      ? { file: 'net/reference.rs', lines: ['*z += a * w[i * layer.n_out + j];', 'output_forward(mlp.output(), &z, &mut a, layer.n_out, 1);'] }
      : { file: 'net/reference.rs', lines: ['*z = b[j];', '*z += a * w[i * layer.n_out + j];', 'a = z.iter().map(|&z| f.f(z)).collect();'] };
  }
  if (stage.kind === 'loss') {
    return { file: 'net/reference.rs', lines: ['let loss = loss_forward(mlp.output(), &out.z, &out.a, t, n_out, 1, &mut scratch);'] };
  }
  if (stage.kind === 'backward') {
    return stage.layer === last
      ? { file: 'net/reference.rs', lines: ['loss_backward(mlp.output(), &out.a, t, &mut out.dz, n_out, 1);', 'here.dw[i * n_out + j] = a * here.dz[j];'] }
      : { file: 'net/reference.rs', lines: ['da += w[i * n_out + j] * here.dz[j];', 'below.dz[i] = da * below.f_prime[i];', 'here.dw[i * n_out + j] = a * here.dz[j];'] };
  }
  return { file: 'teach/inspect.rs', lines: ['*p -= lr * g;'] };
}

/**
 * Renders the lines of `source(file)` around the ones computing `stage` into
 * `box`, the computing ones marked `.hl`. `missing(line)` gives the message
 * for a line the source no longer has.
 */
export function drawCode(box, stage, layers, source, title, missing) {
  const { file, lines } = linesFor(stage, layers);
  const text = source(file).split('\n');
  const hits = new Set();
  for (const want of lines) {
    const found = text.flatMap((t, k) => (t.trim() === want ? [k] : []));
    if (!found.length) {
      box.replaceChildren(el('p', { class: 'hint', text: missing(want) }));
      return;
    }
    for (const k of found) hits.add(k);
  }
  const first = Math.max(0, Math.min(...hits) - CONTEXT);
  const end = Math.min(text.length, Math.max(...hits) + CONTEXT + 1);
  const pre = el('pre', { class: 'code' });
  for (let k = first; k < end; k++) {
    const row = el('span', { class: hits.has(k) ? 'line hl' : 'line' });
    row.append(el('span', { class: 'ln', text: String(k + 1).padStart(3) }), el('code', { text: text[k] }));
    pre.append(row, '\n');
  }
  box.replaceChildren(el('p', { class: 'hint' }, [title, ' ', el('code', { text: `crates/backprop/src/${file}` })]), pre);
  box.dataset.file = file;
}
