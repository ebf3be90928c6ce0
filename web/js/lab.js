// Best practices, live: gradient check, gradient norms and clipping, the
// learning-rate schedule, batch-norm statistics, and what initialisation
// does to activations and gradients.
import { el } from './dom.js';
import { fmt, mountChart } from './chart.js';
import { labelled, num } from './i18n.js';

const LAYER_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00', '#7f7f7f', '#000000', '#f0e442'];

function histogramCanvas(h, colour, title, muted) {
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
  g.fillStyle = muted;
  g.font = '10px system-ui, sans-serif';
  g.fillText(title, 2, 10);
  return c;
}

export function mountLab(panel, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const checkButton = L('button', 'gcButton', { type: 'button', id: 'gradcheck' });
  const checkTable = el('table', { id: 'gradcheck-table', class: 'reach' });
  const checkText = L('p', 'gcIntro', { class: 'hint', id: 'gradcheck-text' });
  const normsCanvas = el('canvas', { width: 420, height: 200, id: 'lab-norms' });
  const clippedText = el('p', { class: 'hint', id: 'lab-clipped' });
  const lrCanvas = el('canvas', { width: 420, height: 180, id: 'lab-lr' });
  const bnBox = el('div', { id: 'lab-bn' });
  const initBox = el('div', { id: 'lab-init', class: 'hists' });
  const readout = el('p', { class: 'hover' });
  panel.append(
    L('h2', 'tabLab'),
    el('div', { class: 'lab-grid' }, [
      el('section', {}, [L('h3', 'gcTitle'), checkButton, checkText, checkTable]),
      el('section', {}, [L('h3', 'normsTitle'), normsCanvas, clippedText]),
      el('section', {}, [L('h3', 'lrTitle'), lrCanvas, readout]),
      el('section', {}, [L('h3', 'bnTitle'), bnBox]),
      el('section', { class: 'wide' }, [L('h3', 'initTitle'), initBox]),
    ]),
  );
  const normsChart = mountChart(normsCanvas, { yLabel: '|∂L/∂W|', log: true, readout, epochWord: tr('epochWord') });
  const lrChart = mountChart(lrCanvas, { yLabel: tr('lrAxis'), yMin: 0, readout, epochWord: tr('epochWord') });
  let atStart = null; // health after the first step of the current run

  checkButton.addEventListener('click', () => {
    const results = ctx.run().gradCheck(64);
    const rows = [el('tr', {}, ['gcLayer', 'gcChecked', 'gcMaxErr', 'gcVerdict'].map((k) => L('th', k)))];
    for (const r of results) {
      rows.push(
        el('tr', { class: `verdict-${r.verdict}` }, [
          el('td', { text: r.layer === results.length - 1 ? tr('gcOutput', { l: r.layer + 1 }) : String(r.layer + 1) }),
          el('td', { text: r.skipped ? tr('gcSkipped', { n: r.checked, z: r.skipped }) : String(r.checked) }),
          el('td', { text: r.max_rel_error === 0 ? tr('gcRoundOff') : r.max_rel_error.toExponential(1) }),
          el('td', { text: tr(`verdict_${r.verdict}`) }),
        ]),
      );
    }
    checkTable.replaceChildren(...rows);
    const worst = results.reduce((w, r) => (r.max_rel_error > w.max_rel_error ? r : w), results[0]);
    checkText.textContent =
      worst.verdict === 'good'
        ? tr('gcAllGood')
        : tr('gcDisagree', { l: worst.layer + 1, e: worst.max_rel_error.toExponential(1) });
    panel.dataset.gradcheck = results.map((r) => r.verdict).join(',');
  });

  function drawInit(pg) {
    const now = pg.health();
    if (!now.length) {
      initBox.replaceChildren(L('p', 'histNeedStep', { class: 'hint' }));
      return;
    }
    if (!atStart) atStart = now;
    const css = getComputedStyle(panel);
    const a = css.getPropertyValue('--series-train').trim();
    const b = css.getPropertyValue('--series-test').trim();
    const muted = css.getPropertyValue('--muted').trim();
    initBox.replaceChildren(
      ...now.map((h, l) => {
        const h0 = atStart[l] ?? h;
        return el('div', { class: 'hist' }, [
          el('strong', { text: l === now.length - 1 ? tr('outputLayer') : tr('hiddenLayerN', { l: l + 1 }) }),
          histogramCanvas(h0.activations, a, tr('histAct0'), muted),
          histogramCanvas(h.activations, a, tr('histActNow'), muted),
          histogramCanvas(h0.gradients, b, tr('histGrad0'), muted),
          histogramCanvas(h.gradients, b, tr('histGradNow'), muted),
          el('p', {
            class: 'hint',
            text: tr('healthLine', { dead: num(ctx.lang(), h.dead_fraction * 100), sat: num(ctx.lang(), h.saturated_fraction * 100), ratio: fmt(h.update_ratio) }),
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
      series.push({ name: l === layers - 1 ? tr('seriesOutput') : tr('seriesLayer', { l: l + 1 }), color: LAYER_COLOURS[l % LAYER_COLOURS.length], values: v });
    }
    const clipped = pg.history('clipped');
    const markers = [];
    for (let i = 0; i < clipped.length; i++) if (clipped[i] > 0) markers.push(x[i]);
    const hlines = s.clip === 'norm' ? [{ y: s.clip_at, color: '#c0392b', label: tr('clipLine', { c: s.clip_at }) }] : [];
    normsChart.update({ x, series, markers, hlines });
    clippedText.textContent =
      s.clip === 'off'
        ? tr('clipOff')
        : tr('clippedIn', { n: markers.length, of: clipped.length });
    panel.dataset.clippedEpochs = String(markers.length);

    const horizon = Math.max(s.schedule === 'constant' ? 200 : Math.ceil(s.sched_epochs * 1.25), pg.epoch + 20);
    const curve = pg.lrCurve(horizon);
    const ex = Float64Array.from(curve, (_, i) => i);
    lrChart.update({ x: ex, series: [{ name: tr(`v_${s.schedule}`), color: LAYER_COLOURS[0], values: curve }], vline: pg.epoch });
    panel.dataset.lrCurve = `${s.schedule}:${curve[Math.min(curve.length - 1, 100)]}`;

    if (s.bn) {
      const stats = pg.runningStats();
      bnBox.replaceChildren(
        L('p', 'bnOn', { class: 'hint' }),
        ...stats.map((st, l) =>
          el('p', { class: 'mono', text: tr('bnStats', { l: l + 1, mean: Array.from(st.mean.slice(0, 6), fmt).join(' '), var: Array.from(st.var.slice(0, 6), fmt).join(' ') }) }),
        ),
      );
    } else {
      bnBox.replaceChildren(L('p', 'bnOff', { class: 'hint' }));
    }
    drawInit(pg);
  }

  return {
    update(stale) {
      if (ctx.run().steps === 0) atStart = null;
      if (stale) draw();
    },
    freshRun() {
      atStart = null;
    },
    relabel() {
      lrChart.setLabels({ yLabel: tr('lrAxis'), epochWord: tr('epochWord') });
      normsChart.setLabels({ epochWord: tr('epochWord') });
    },
  };
}
