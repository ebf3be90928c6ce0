// Best practices, live: gradient check, gradient norms and clipping, the
// learning-rate schedule, batch-norm statistics, and what initialisation
// does to activations and gradients.
import { el } from './views.js';
import { fmt, mountChart } from './chart.js';

const LAYER_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#7f7f7f', '#000000', '#f0e442'];
const VERDICT = { good: 'good (< 1e-7)', doubtful: 'doubtful (1e-7 to 1e-2)', wrong: 'wrong (> 1e-2)' };

function histogramCanvas(h, colour, title) {
  const c = el('canvas', { width: 150, height: 56 });
  c.setAttribute('aria-label', title);
  const g = c.getContext('2d');
  const max = Math.max(1, ...h.counts);
  const w = c.width / h.counts.length;
  g.fillStyle = colour;
  h.counts.forEach((n, i) => {
    const bh = (n / max) * (c.height - 12);
    g.fillRect(i * w, c.height - bh, w - 1, bh);
  });
  g.fillStyle = getComputedStyle(document.body).getPropertyValue('--muted');
  g.font = '10px system-ui, sans-serif';
  g.fillText(title, 2, 10);
  return c;
}

export function mountLab(panel, ctx) {
  const checkButton = el('button', { type: 'button', id: 'gradcheck', text: 'Check gradients now' });
  const checkTable = el('table', { id: 'gradcheck-table', class: 'reach' });
  const checkText = el('p', { class: 'hint', id: 'gradcheck-text', text: 'Compares backprop with a numerical derivative of the loss, parameter by parameter.' });
  const normsCanvas = el('canvas', { width: 420, height: 200, id: 'lab-norms' });
  const clippedText = el('p', { class: 'hint', id: 'lab-clipped' });
  const lrCanvas = el('canvas', { width: 420, height: 180, id: 'lab-lr' });
  const bnBox = el('div', { id: 'lab-bn' });
  const initBox = el('div', { id: 'lab-init', class: 'hists' });
  const readout = el('p', { class: 'hover' });
  panel.append(
    el('h2', { text: 'Best practices' }),
    el('div', { class: 'lab-grid' }, [
      el('section', {}, [el('h3', { text: 'Gradient check' }), checkButton, checkText, checkTable]),
      el('section', {}, [el('h3', { text: 'Gradient norms per layer (log scale)' }), normsCanvas, clippedText]),
      el('section', {}, [el('h3', { text: 'Learning-rate schedule' }), lrCanvas, readout]),
      el('section', {}, [el('h3', { text: 'Batch normalisation' }), bnBox]),
      el('section', { class: 'wide' }, [el('h3', { text: 'Initialisation: activations and gradients, at step 0 and now' }), initBox]),
    ]),
  );
  const normsChart = mountChart(normsCanvas, { yLabel: '|∂L/∂W|', log: true, readout });
  const lrChart = mountChart(lrCanvas, { yLabel: 'learning rate', yMin: 0, readout });
  let atStart = null; // health after the first step of the current run
  let lastKey = '';

  checkButton.addEventListener('click', () => {
    const results = ctx.run().gradCheck(64);
    const rows = [el('tr', {}, ['Layer', 'Checked', 'Max relative error', 'Verdict'].map((t) => el('th', { text: t })))];
    for (const r of results) {
      rows.push(
        el('tr', { class: `verdict-${r.verdict}` }, [
          el('td', { text: r.layer === results.length - 1 ? `${r.layer + 1} (output)` : String(r.layer + 1) }),
          el('td', { text: `${r.checked}${r.skipped ? ` (+${r.skipped} exact zeros)` : ''}` }),
          el('td', { text: r.max_rel_error === 0 ? '0 (round-off)' : r.max_rel_error.toExponential(1) }),
          el('td', { text: VERDICT[r.verdict] }),
        ]),
      );
    }
    checkTable.replaceChildren(...rows);
    const worst = results.reduce((w, r) => (r.max_rel_error > w.max_rel_error ? r : w), results[0]);
    checkText.textContent =
      worst.verdict === 'good'
        ? 'Every layer is green: backprop agrees with the numerical derivative to better than one part in ten million.'
        : `Layer ${worst.layer + 1} disagrees (${worst.max_rel_error.toExponential(1)}): near a ReLU kink that is expected; otherwise the gradient is wrong.`;
    panel.dataset.gradcheck = results.map((r) => r.verdict).join(',');
  });

  function drawInit(pg) {
    const now = pg.health();
    if (!now.length) {
      initBox.replaceChildren(el('p', { class: 'hint', text: 'Take a step to see the histograms.' }));
      return;
    }
    if (!atStart) atStart = now;
    const css = getComputedStyle(document.body);
    const a = css.getPropertyValue('--series-train').trim();
    const b = css.getPropertyValue('--series-test').trim();
    initBox.replaceChildren(
      ...now.map((h, l) => {
        const h0 = atStart[l] ?? h;
        return el('div', { class: 'hist' }, [
          el('strong', { text: l === now.length - 1 ? 'Output layer' : `Hidden layer ${l + 1}` }),
          histogramCanvas(h0.activations, a, 'activations, step 0'),
          histogramCanvas(h.activations, a, 'activations, now'),
          histogramCanvas(h0.gradients, b, 'log10 |gradient|, step 0'),
          histogramCanvas(h.gradients, b, 'log10 |gradient|, now'),
          el('p', {
            class: 'hint',
            text: `dead ReLUs ${(h.dead_fraction * 100).toFixed(0)} % · saturated ${(h.saturated_fraction * 100).toFixed(0)} % · update/weight ${fmt(h.update_ratio)}`,
          }),
        ]);
      }),
    );
  }

  function draw() {
    const pg = ctx.run();
    const s = ctx.settings();
    const layers = pg.layout().layers.length;
    const x = pg.history('epoch');
    const norms = pg.history('grad_norms');
    const series = [];
    for (let l = 0; l < layers; l++) {
      const v = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) v[i] = norms[i * layers + l];
      series.push({ name: l === layers - 1 ? 'output' : `layer ${l + 1}`, color: LAYER_COLOURS[l % LAYER_COLOURS.length], values: v });
    }
    const clipped = pg.history('clipped');
    const markers = [];
    for (let i = 0; i < clipped.length; i++) if (clipped[i] > 0) markers.push(x[i]);
    const hlines = s.clip === 'norm' ? [{ y: s.clip_at, color: '#c0392b', label: `clip at ${s.clip_at} (global norm)` }] : [];
    normsChart.update({ x, series, markers, hlines });
    clippedText.textContent =
      s.clip === 'off'
        ? 'Clipping is off. Turn it on in the Optimizer panel to cap the gradient norm.'
        : `Clipped in ${markers.length} of ${clipped.length} epochs (red ticks).`;
    panel.dataset.clippedEpochs = String(markers.length);

    const horizon = Math.max(s.schedule === 'constant' ? 200 : Math.ceil(s.sched_epochs * 1.25), pg.epoch + 20);
    const curve = pg.lrCurve(horizon);
    const ex = Float64Array.from(curve, (_, i) => i);
    lrChart.update({ x: ex, series: [{ name: s.schedule, color: LAYER_COLOURS[0], values: curve }], vline: pg.epoch });
    panel.dataset.lrCurve = `${s.schedule}:${curve[Math.min(curve.length - 1, 100)]}`;

    if (s.bn) {
      const stats = pg.runningStats();
      bnBox.replaceChildren(
        el('p', { class: 'hint', text: 'Training normalises each hidden layer with the batch statistics; the boundary and the test metrics use the running statistics below (eval mode).' }),
        ...stats.map((st, l) =>
          el('p', { class: 'mono', text: `layer ${l + 1}: mean ${Array.from(st.mean.slice(0, 6), fmt).join(' ')} … · var ${Array.from(st.var.slice(0, 6), fmt).join(' ')} …` }),
        ),
      );
    } else {
      bnBox.replaceChildren(el('p', { class: 'hint', text: 'Off. Turn on “Batch normalisation” in the Network panel: each hidden layer is then normalised before its activation.' }));
    }
    drawInit(pg);
  }

  return {
    update(force) {
      const pg = ctx.run();
      const key = `${pg.epoch}:${pg.steps}`;
      if (pg.steps === 0) atStart = null;
      if (force || key !== lastKey) {
        lastKey = key;
        draw();
      }
    },
    reset() {
      atStart = null;
    },
  };
}
