// The bug hunt: a small network whose backprop hides one classic mistake in
// one layer. The learner trains it, watches it misbehave, runs the
// gradient check layer by layer, compares one point's true and buggy
// gradients, guesses the layer and the mistake, then sees the buggy line
// beside the correct one. The hunt is its own engine object (`BugHunt`),
// not the live run; the link's `bug_seed` names it, set through the run's API.
import { el } from './dom.js';
import { fmt, mountChart } from './chart.js';
import { labelled } from './i18n.js';

const LAYER_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#56b4e9', '#e69f00'];
/** Epochs one press of "Train" adds: enough for every bug to show in the curves. */
const TRAIN_EPOCHS = 150;
/** A random hunt's seed stays below this: short enough to read out and retype. */
const RANDOM_SEEDS = 1e6;

/** The panel's parts, keyed by message keys so a language switch rewrites them. */
function buildPanel(panel, tr) {
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const parts = {
    seed: el('input', { id: 'bughunt-seed', type: 'number', min: 0, step: 1, inputMode: 'numeric', 'data-i18n-aria': 'bhSeed', 'aria-label': tr('bhSeed') }),
    start: L('button', 'bhStart', { type: 'button', id: 'bughunt-start' }),
    random: L('button', 'bhRandom', { type: 'button', id: 'bughunt-random' }),
    train: L('button', 'bhTrain', { type: 'button', id: 'bughunt-train' }),
    status: el('p', { id: 'bughunt-status', class: 'hint', 'aria-live': 'polite' }),
    lossCanvas: el('canvas', { width: 420, height: 180, id: 'bughunt-loss' }),
    normsCanvas: el('canvas', { width: 420, height: 180, id: 'bughunt-norms' }),
    readout: el('p', { class: 'hover' }),
    check: L('button', 'gcButton', { type: 'button', id: 'bughunt-check' }),
    checkTable: el('table', { id: 'bughunt-check-table', class: 'reach' }),
    checkText: L('p', 'bhCheckIntro', { class: 'hint', id: 'bughunt-check-text' }),
    point: el('input', { id: 'bughunt-point', type: 'number', min: 0, step: 1, value: 0, 'data-i18n-aria': 'bhPoint', 'aria-label': tr('bhPoint') }),
    compare: L('button', 'bhCompare', { type: 'button', id: 'bughunt-compare' }),
    compareTable: el('table', { id: 'bughunt-compare-table', class: 'reach' }),
    layer: el('select', { id: 'bughunt-layer', 'data-i18n-aria': 'bhGuessLayer', 'aria-label': tr('bhGuessLayer') }),
    kind: el('select', { id: 'bughunt-kind', 'data-i18n-aria': 'bhGuessKind', 'aria-label': tr('bhGuessKind') }),
    guess: L('button', 'bhGuess', { type: 'submit', id: 'bughunt-guess' }),
    grade: el('p', { id: 'bughunt-grade', 'aria-live': 'polite' }),
    reveal: L('button', 'bhReveal', { type: 'button', id: 'bughunt-reveal' }),
    answer: el('div', { id: 'bughunt-answer', hidden: true }),
  };
  const form = el('form', { class: 'bughunt-guess', id: 'bughunt-form' }, [
    el('label', {}, [L('span', 'bhGuessLayer'), parts.layer]),
    el('label', {}, [L('span', 'bhGuessKind'), parts.kind]),
    parts.guess,
  ]);
  parts.form = form;
  panel.append(
    L('h2', 'tabBugHunt'),
    L('p', 'bhIntro', { class: 'hint' }),
    el('div', { class: 'bughunt-bar' }, [el('label', {}, [L('span', 'bhSeed'), parts.seed]), parts.start, parts.random, parts.train]),
    parts.status,
    el('div', { class: 'bughunt-grid' }, [
      el('section', {}, [L('h3', 'bhLossTitle'), parts.lossCanvas]),
      el('section', {}, [L('h3', 'normsTitle'), parts.normsCanvas, parts.readout]),
      el('section', {}, [L('h3', 'gcTitle'), parts.check, parts.checkText, parts.checkTable]),
      el('section', {}, [L('h3', 'bhCompareTitle'), el('div', { class: 'bughunt-bar' }, [el('label', {}, [L('span', 'bhPoint'), parts.point]), parts.compare]), parts.compareTable]),
      el('section', { class: 'wide' }, [L('h3', 'bhGuessTitle'), form, parts.grade, parts.reveal, parts.answer]),
    ]),
  );
  return parts;
}

/** "Layer 2", or "4 (output)" for the last layer, numbered from 1. */
function layerName(tr, l, layers) {
  return l === layers - 1 ? tr('gcOutput', { l: l + 1 }) : tr('seriesLayer', { l: l + 1 });
}

/** The guess form's choices for a network of `layers` layers. */
function fillChoices(parts, tr, kinds, layers) {
  const keepLayer = parts.layer.value;
  const keepKind = parts.kind.value;
  parts.layer.replaceChildren(...Array.from({ length: layers }, (_, l) => el('option', { value: String(l), text: layerName(tr, l, layers) })));
  parts.kind.replaceChildren(...kinds.map((k) => el('option', { value: k, text: tr(`bh_k_${k}`) })));
  if (keepLayer && Number(keepLayer) < layers) parts.layer.value = keepLayer;
  if (keepKind) parts.kind.value = keepKind;
}

/** The check's table, and the topmost layer it calls wrong (where a bug starts: the layers below inherit it). */
function showCheck(parts, tr, results, panel) {
  const rows = [el('tr', {}, ['gcLayer', 'gcChecked', 'gcMaxErr', 'gcVerdict'].map((k) => labelled(tr, 'th', k)))];
  for (const r of results) {
    rows.push(
      el('tr', { class: `verdict-${r.verdict}` }, [
        el('td', { text: layerName(tr, r.layer, results.length) }),
        el('td', { text: String(r.checked) }),
        el('td', { text: r.max_rel_error === 0 ? tr('gcRoundOff') : r.max_rel_error.toExponential(1) }),
        el('td', { text: tr(`verdict_${r.verdict}`) }),
      ]),
    );
  }
  parts.checkTable.replaceChildren(...rows);
  const wrong = results.filter((r) => r.verdict === 'wrong').map((r) => r.layer);
  const top = wrong.length ? Math.max(...wrong) : -1;
  parts.checkText.textContent = top < 0 ? tr('bhCheckClean') : tr('bhCheckTop', { l: layerName(tr, top, results.length) });
  panel.dataset.flagged = String(top);
  panel.dataset.verdicts = results.map((r) => r.verdict).join(',');
}

/** One point's gradient, layer by layer: the true norm, the buggy one, and where they differ most. */
function showCompare(parts, tr, pairs) {
  const head = el('tr', {}, ['gcLayer', 'bhTrueNorm', 'bhBuggyNorm', 'bhMostApart'].map((k) => labelled(tr, 'th', k)));
  const rows = pairs.map((p) =>
    el('tr', {}, [
      el('td', { text: layerName(tr, p.layer, pairs.length) }),
      el('td', { text: fmt(p.true_norm) }),
      el('td', { text: fmt(p.buggy_norm) }),
      p.true_value === p.buggy_value
        ? labelled(tr, 'td', 'bhSame')
        : el('td', { class: 'mono', text: tr('bhPair', { i: p.param, t: fmt(p.true_value), b: fmt(p.buggy_value) }) }),
    ]),
  );
  parts.compareTable.replaceChildren(head, ...rows);
}

/** The answer: the bug's name and layer, the buggy line beside the correct one, and why it matters. */
function showAnswer(parts, tr, r, layers) {
  parts.answer.replaceChildren(
    el('p', { id: 'bughunt-answer-title', text: tr('bhAnswer', { kind: tr(`bh_k_${r.kind}`), l: layerName(tr, r.layer, layers) }) }),
    el('div', { class: 'bughunt-diff' }, [
      el('p', { class: 'mono bughunt-buggy', id: 'bughunt-buggy' }, [labelled(tr, 'span', 'bhBuggyLine'), el('code', { text: r.buggy })]),
      el('p', { class: 'mono bughunt-correct', id: 'bughunt-correct' }, [labelled(tr, 'span', 'bhCorrectLine'), el('code', { text: r.correct })]),
    ]),
    el('p', { class: 'hint', id: 'bughunt-why', text: tr(`bh_why_${r.kind}`) }),
    ...(r.flows_down ? [el('p', { class: 'hint', text: tr('bhFlowsDown') })] : []),
  );
  parts.answer.hidden = false;
}

export function mountBugHunt(panel, ctx) {
  const { tr } = ctx;
  const parts = buildPanel(panel, tr);
  const lossChart = mountChart(parts.lossCanvas, { yLabel: tr('lossAxis'), yMin: 0, readout: parts.readout, epochWord: tr('epochWord') });
  const normsChart = mountChart(parts.normsCanvas, { yLabel: '|∂L/∂W|', log: true, readout: parts.readout, epochWord: tr('epochWord') });
  const kinds = ctx.wasm.BugHunt.bugKinds();
  const hunt = { bugHunt: null, seed: null, layers: 0, revealed: false, lastCheck: null, lastPairs: null, lastGrade: null };

  /** Starts the hunt `ctx.settings().bug_seed` names (the link's), dropping the old one. */
  function begin() {
    const seed = ctx.settings().bug_seed;
    let next;
    try {
      next = new ctx.wasm.BugHunt(seed);
    } catch (e) {
      parts.status.textContent = tr('bhCannot', { why: e.message });
      return;
    }
    hunt.bugHunt?.free();
    Object.assign(hunt, { bugHunt: next, seed, layers: next.sizes().length - 1, revealed: false, lastCheck: null, lastPairs: null, lastGrade: null });
    parts.seed.value = String(seed);
    parts.checkTable.replaceChildren();
    parts.compareTable.replaceChildren();
    parts.grade.textContent = '';
    parts.answer.hidden = true;
    parts.answer.replaceChildren();
    panel.dataset.seed = String(seed);
    panel.dataset.flagged = '';
    fillChoices(parts, tr, kinds, hunt.layers);
    draw();
  }

  /** Sets the link's `bug_seed` (through the run's API) and starts that hunt. */
  function startSeed(value) {
    const problem = ctx.change('bug_seed', value);
    if (problem) {
      parts.status.textContent = problem;
      return;
    }
    begin();
  }

  function draw() {
    const h = hunt.bugHunt;
    if (!h) return;
    const history = h.history();
    const x = Float64Array.from(history, (e) => e.epoch);
    lossChart.update({ x, series: [{ name: tr('trainLoss'), color: LAYER_COLOURS[0], values: Float64Array.from(history, (e) => e.train_loss) }] });
    const series = [];
    for (let l = 0; l < hunt.layers; l++) {
      series.push({ name: layerName(tr, l, hunt.layers), color: LAYER_COLOURS[l % LAYER_COLOURS.length], values: Float64Array.from(history, (e) => e.grad_norms[l]) });
    }
    normsChart.update({ x, series });
    const last = history[history.length - 1];
    const diverged = h.diverged();
    parts.status.textContent =
      diverged !== undefined
        ? tr('bhDiverged', { epoch: diverged })
        : last
          ? tr('bhStatus', { seed: hunt.seed, epoch: last.epoch, loss: fmt(last.train_loss), acc: Math.round(last.test_acc * 100) })
          : tr('bhReady', { seed: hunt.seed });
    panel.dataset.epoch = String(h.epoch);
    if (hunt.lastCheck) showCheck(parts, tr, hunt.lastCheck, panel);
    if (hunt.lastPairs) showCompare(parts, tr, hunt.lastPairs);
    if (hunt.lastGrade) gradeText(hunt.lastGrade);
    if (hunt.revealed) showAnswer(parts, tr, h.reveal(), hunt.layers);
  }

  function gradeText(g) {
    const key = g.kind_right && g.layer_right ? 'bhRight' : g.layer_right ? 'bhLayerOnly' : g.kind_right ? 'bhKindOnly' : 'bhWrong';
    parts.grade.textContent = tr(key);
    parts.grade.className = g.kind_right && g.layer_right ? 'bughunt-right' : 'bughunt-wrong';
    panel.dataset.grade = key;
  }

  parts.start.addEventListener('click', () => startSeed(parts.seed.value));
  parts.random.addEventListener('click', () => startSeed(Math.floor(Math.random() * RANDOM_SEEDS)));
  parts.train.addEventListener('click', () => {
    hunt.bugHunt?.stepEpochs(TRAIN_EPOCHS);
    draw();
  });
  parts.check.addEventListener('click', () => {
    if (!hunt.bugHunt) return;
    hunt.lastCheck = hunt.bugHunt.check();
    showCheck(parts, tr, hunt.lastCheck, panel);
  });
  parts.compare.addEventListener('click', () => {
    if (!hunt.bugHunt) return;
    try {
      hunt.lastPairs = hunt.bugHunt.comparePoint(Number(parts.point.value));
      showCompare(parts, tr, hunt.lastPairs);
    } catch (e) {
      parts.compareTable.replaceChildren(el('tr', {}, [el('td', { text: e.message })]));
    }
  });
  parts.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!hunt.bugHunt) return;
    hunt.lastGrade = hunt.bugHunt.grade(parts.kind.value, Number(parts.layer.value));
    gradeText(hunt.lastGrade);
  });
  // The charts take their colours from the scheme when drawn.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if (panel.isConnected) draw(); });
  parts.reveal.addEventListener('click', () => {
    if (!hunt.bugHunt) return;
    hunt.revealed = true;
    showAnswer(parts, tr, hunt.bugHunt.reveal(), hunt.layers);
  });

  return {
    /** Opened, or the link changed: starts the hunt the link names when it is not the one shown. */
    update() {
      if (hunt.seed !== ctx.settings().bug_seed) begin();
      else draw();
    },
    /** The link changed and the run restarted: a new `bug_seed` starts its hunt. */
    freshRun() {
      if (hunt.seed !== null && hunt.seed !== ctx.settings().bug_seed) begin();
    },
    relabel() {
      lossChart.setLabels({ yLabel: tr('lossAxis'), epochWord: tr('epochWord') });
      normsChart.setLabels({ epochWord: tr('epochWord') });
      fillChoices(parts, tr, kinds, hunt.layers);
      draw();
    },
  };
}
