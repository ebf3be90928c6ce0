// "Why did it break?": the Diagnosis panel. After each step it asks the
// engine's detectors (a wasm `Diagnosis` per run) what is wrong; when one
// fires it says what, since which epoch (a button takes the timeline
// there), shows the evidence on its chart, and offers the cures: each
// applies a change of settings, restarts from the same seed and plays, and
// the panel then shows the broken run beside the cured one.
import { el } from './dom.js';
import { labelled } from './i18n.js';
import { fmt, mountChart } from './chart.js';
import { settingsFromConfig } from './settings.js';

const THUMB = 150;

export function mountDiagnosis(slot, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const { what, why, since, evidence, canvas, cures, brokenThumb, curedThumb, compareCanvas, compareNote, compare, healthy, problem, panel } =
    buildPanel(slot, tr);
  const chart = mountChart(canvas, { yLabel: '', log: true, epochWord: tr('epochWord') });
  const compareChart = mountChart(compareCanvas, { yLabel: tr('lossAxis'), log: true, epochWord: tr('epochWord') });

  let diag = null;
  let run = null;
  let key = '';
  let lastEpoch = -1;
  let shown = null; // the findings on screen: they stay until the run starts afresh
  let shownCures = ''; // which cures the buttons offer, and in which language
  let curing = null; // { broken: { x, loss }, image, label } while a cure trains beside the broken run

  function clearFor(pg) {
    diag?.free();
    diag = ctx.newDiagnosis();
    run = pg;
    key = '';
    shown = null;
  }

  function render() {
    panel.hidden = !shown && !curing;
    panel.dataset.problem = shown ? shown[0].problem : '';
    problem.hidden = !shown;
    // Beside a cure: say so when the cured run shows no problem.
    healthy.hidden = Boolean(shown) || !curing;
    if (shown) {
      const f = shown[0];

      what.textContent = tr(`diagProblem_${f.problem}`, { layer: (f.layer ?? 0) + 1 });
      why.textContent = tr(`diagWhy_${f.problem}`, { layer: (f.layer ?? 0) + 1 });
      since.textContent = tr('diagSince', { epoch: f.began });
      evidence.replaceChildren(...f.evidence.map((g) => el('li', { text: figureText(tr, g) })));
      drawEvidence(ctx, chart, panel, f);
      // The buttons are rebuilt only when the cures change (or the language):
      // one replaced between press and release would lose the click.
      const cureKey = `${ctx.lang()}:${JSON.stringify(f.cures)}`;
      if (cureKey !== shownCures) {
        shownCures = cureKey;
        cures.replaceChildren(
          L('span', 'diagCures'),
          ...f.cures.map((c, i) => {
            const b = el('button', { type: 'button', class: 'diagnosis-cure', text: cureText(tr, c) });
            b.dataset.cure = c.kind;
            b.addEventListener('click', () => cure(0, i, cureText(tr, c)));
            return b;
          }),
        );
      }
    }
    renderCompare();
  }

  function renderCompare() {
    compare.hidden = !curing;
    if (!curing) return;
    const pg = ctx.run();
    compareNote.textContent = tr('diagCompare', { cure: curing.label });
    // One epoch axis for both: the longer run's, the shorter padded with gaps.
    const cured = { x: pg.history('epoch'), loss: pg.history('train_loss') };
    const x = cured.x.length > curing.broken.x.length ? Float64Array.from(cured.x) : curing.broken.x;
    const padded = (loss) => Float64Array.from({ length: x.length }, (_, i) => (i < loss.length ? loss[i] : NaN));
    compareChart.update({
      x,
      series: [
        { name: tr('diagBrokenLoss'), color: cssVar(panel, '--warn-fg'), values: padded(curing.broken.loss) },
        { name: tr('diagCuredLoss'), color: cssVar(panel, '--series-train'), values: padded(cured.loss) },
      ],
    });
    const g = curedThumb.getContext('2d');
    g.drawImage(ctx.plotCanvas(), 0, 0, THUMB, THUMB);
  }

  /** Applies cure `i` of finding `fi`: the changed settings, a fresh run from the same seed, played. */
  function cure(fi, i, label) {
    const pg = ctx.run();
    const config = diag.curedConfig(fi, i);
    const { settings } = settingsFromConfig(config, ctx.settings());
    const now = ctx.settings();
    const changes = {};
    for (const [k, v] of Object.entries(settings)) if (JSON.stringify(v) !== JSON.stringify(now[k])) changes[k] = v;
    const image = el('canvas', { width: THUMB, height: THUMB });
    image.getContext('2d').drawImage(ctx.plotCanvas(), 0, 0, THUMB, THUMB);
    brokenThumb.getContext('2d').drawImage(image, 0, 0);
    curing = { broken: { x: Float64Array.from(pg.history('epoch')), loss: Float64Array.from(pg.history('train_loss')) }, label };
    ctx.applySettings(changes);
    // Always a fresh run from the same seed, even for a change that applies live.
    if (ctx.run().epoch > 0) ctx.reset();
    ctx.play();
  }

  // Charts read their colours when drawn: redraw on a switch of light and dark.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if (panel.isConnected) render(); });

  since.addEventListener('click', () => {
    if (shown) seekTimeline(ctx, panel, shown[0].began);
  });


  return {
    frame() {
      const pg = ctx.run();
      if (pg !== run || pg.epoch < lastEpoch) {
        clearFor(pg);
        // A cure restarts the run: keep the broken one beside it; anything else ends the comparison.
        if (curing && !curing.started) curing.started = true;
        else curing = null;
        render();
      }
      lastEpoch = pg.epoch;
      const now = `${pg.epoch}:${pg.status().state}`;
      if (now === key) return;
      key = now;
      diag.observe();
      const found = diag.findings();
      if (found.length) shown = found;
      render();
    },
    relabel() {
      render();
    },
  };
}

/** The panel's elements, appended to `slot`; hidden until a detector fires. */
function buildPanel(slot, tr) {
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const title = L('h2', 'diagTitle', { id: 'diagnosis-title' });
  const what = el('p', { id: 'diagnosis-what', class: 'diagnosis-what' });
  const why = el('p', { id: 'diagnosis-why', class: 'hint' });
  const since = el('button', { type: 'button', id: 'diagnosis-since' });
  const evidence = el('ul', { id: 'diagnosis-evidence', class: 'diagnosis-evidence' });
  const canvas = el('canvas', { id: 'diagnosis-chart', width: 380, height: 160 });
  const cures = el('div', { id: 'diagnosis-cures', class: 'diagnosis-cures' });
  const brokenThumb = el('canvas', { id: 'diagnosis-broken', width: THUMB, height: THUMB });
  const curedThumb = el('canvas', { id: 'diagnosis-cured', width: THUMB, height: THUMB });
  const compareCanvas = el('canvas', { id: 'diagnosis-compare-chart', width: 380, height: 140 });
  const compareNote = el('p', { id: 'diagnosis-compare-note', class: 'hint' });
  const compare = el('div', { id: 'diagnosis-compare', class: 'diagnosis-compare', hidden: true }, [
    compareNote,
    el('div', { class: 'diagnosis-pair' }, [
      el('figure', {}, [brokenThumb, L('figcaption', 'diagBroken')]),
      el('figure', {}, [curedThumb, L('figcaption', 'diagCured')]),
    ]),
    compareCanvas,
  ]);
  const healthy = L('p', 'diagHealthy', { id: 'diagnosis-healthy', class: 'diagnosis-what', hidden: true });
  const problem = el('div', { id: 'diagnosis-problem' }, [what, why, el('p', { class: 'diagnosis-since' }, [since]), evidence, canvas, cures]);
  const panel = el('section', { id: 'diagnosis', class: 'panel diagnosis', hidden: true, 'aria-labelledby': title.id, 'aria-live': 'polite' }, [
    title, problem, healthy, compare,
  ]);
  slot.append(panel);
  return { what, why, since, evidence, canvas, cures, brokenThumb, curedThumb, compareCanvas, compareNote, compare, healthy, problem, panel };
}

/** One piece of evidence, in words. */
function figureText(tr, f) {
  const v = f.value;
  if (f.name === 'what') return tr('diagFig_what', { what: tr(['diagWhatLoss', 'diagWhatParams', 'diagWhatExploded'][v] ?? 'diagWhatLoss') });
  const pctNames = ['train_acc', 'test_acc', 'reach', 'saturated', 'flips', 'swing'];
  const counts = ['diverged_at', 'dead', 'units'];
  let value = fmt(v);
  if (v === null || !Number.isFinite(v)) value = '–';
  else if (pctNames.includes(f.name)) value = `${(v * 100).toFixed(1)}%`;
  else if (counts.includes(f.name)) value = String(v);
  return tr(`diagFig_${f.name}`, { value });
}

/** A cure's button text. */
function cureText(tr, c) {
  if (c.kind === 'learning_rate') return tr(c.factor < 1 ? 'diagCureLrDown' : 'diagCureLrUp', { factor: c.factor < 1 ? Math.round(1 / c.factor) : c.factor });
  if (c.kind === 'clip_norm') return tr('diagCureClip', { at: fmt(c.at) });
  if (c.kind === 'l2') return tr('diagCureL2', { lambda: c.lambda });
  return tr(`diagCure_${c.kind}`);
}

/** Opens the timeline at its latest snapshot at or before `epoch` (through its own slider). */
function seekTimeline(ctx, panel, epoch) {
  ctx.showView('timeline');
  const slider = ctx.find('timeline');
  if (!slider) return;
  let best = null;
  for (let k = 0; k < Number(slider.max); k++) {
    slider.value = String(k);
    slider.dispatchEvent(new Event('input'));
    const snap = ctx.shownSnapshot();
    if (snap && snap.epoch <= Math.max(epoch, 1)) best = k;
  }
  slider.value = String(best ?? 0);
  slider.dispatchEvent(new Event('input'));
  panel.dataset.seeked = String(ctx.shownSnapshot()?.epoch ?? '');
}

/** Finding `f`'s evidence on `chart`: the losses, or each layer's gradient norm with the one at fault marked. */
function drawEvidence(ctx, chart, panel, f) {
  const tr = ctx.tr;
  const pg = ctx.run();
  const x = pg.history('epoch');
  if (f.chart === 'loss') {
    chart.update({
      x,
      series: [
        { name: tr('trainLossSeries'), color: cssVar(panel, '--series-train'), values: pg.history('train_loss') },
        { name: tr('testLossSeries'), color: cssVar(panel, '--series-test'), values: pg.history('test_loss'), dash: true },
      ],
      vline: f.began,
    });
    return;
  }
  // Gradient norms per layer, the layer at fault drawn in the warning colour.
  const norms = pg.history('grad_norms');
  const n = x.length;
  const layers = n ? norms.length / n : 0;
  const series = [];
  for (let l = 0; l < layers; l++) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = norms[i * layers + l];
    const atFault = l === f.layer;
    series.push({ name: tr('diagLayer', { l: l + 1 }) + (atFault ? ' ⚠' : ''), color: atFault ? cssVar(panel, '--warn-fg') : cssVar(panel, '--muted'), values, dash: !atFault });
  }
  chart.update({ x, series, vline: f.began });
}

function cssVar(panel, name) {
  return getComputedStyle(panel).getPropertyValue(name).trim() || '#888';
}
