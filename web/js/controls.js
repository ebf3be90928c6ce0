// The control panels (Data, Network, Optimizer, Run), built from DOM nodes
// only — never from HTML strings. Data flows down through `update(settings,
// info)`; user actions flow up through `on.change(key, value)` and
// `on.action(name)`.
import { el } from './dom.js';
import { labelled } from './i18n.js';
import { ACTIVATIONS, DATASETS, INITS, MAX_LAYERS, MAX_NEURONS, OPTIMIZERS, SCHEDULES } from './settings.js';

/**
 * Mounts the panels in `root` (the Run panel is returned for the page to
 * place); `tr(key, params)` gives the current language's text.
 */
export function mountControls(root, on, tr) {
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const aria = (key) => ({ 'data-i18n-aria': key, 'aria-label': tr(key) });
  const inputs = {}; // key -> input element
  const rows = {}; // key -> row element (to show and hide)
  const live = {};

  function row(key, labelText, input, extra = []) {
    input.id = `ctl-${key}`;
    inputs[key] = input;
    const r = el('div', { class: 'field' }, [L('label', labelText, { for: input.id }), input, ...extra]);
    rows[key] = r;
    return r;
  }

  function select(key, labelText, choices) {
    const s = el('select');
    for (const c of choices) s.append(L('option', `v_${c}`, { value: c }));
    s.addEventListener('change', () => on.change(key, s.value));
    return row(key, labelText, s);
  }

  function number(key, labelText, { step = 'any', min, max, integer = false } = {}) {
    const i = el('input', { type: 'number', step, inputMode: 'decimal' });
    if (min !== undefined) i.min = min;
    if (max !== undefined) i.max = max;
    i.addEventListener('change', () => {
      const v = Number(i.value);
      if (i.value.trim() !== '' && Number.isFinite(v)) on.change(key, integer ? Math.round(v) : v);
    });
    return row(key, labelText, i);
  }

  function slider(key, labelText, min, max, step) {
    const i = el('input', { type: 'range', min, max, step });
    const out = el('output', { class: 'value' });
    live[key] = out;
    i.addEventListener('input', () => on.change(key, Number(i.value)));
    return row(key, labelText, i, [out]);
  }

  function checkbox(key, labelText) {
    const i = el('input', { type: 'checkbox' });
    i.addEventListener('change', () => on.change(key, i.checked));
    const r = el('div', { class: 'field check' }, [i, L('label', labelText, { for: `ctl-${key}` })]);
    i.id = `ctl-${key}`;
    inputs[key] = i;
    rows[key] = r;
    return r;
  }

  function button(id, text, action, title) {
    const b = L('button', text, { type: 'button', id, 'data-i18n-title': title, title: tr(title) });
    b.addEventListener('click', () => on.action(action));
    return b;
  }

  // ---- Data ---------------------------------------------------------------
  const thumbs = el('div', { class: 'thumbs', role: 'group', ...aria('f_dataset') });
  const thumbButtons = {};
  for (const kind of DATASETS) {
    const c = el('canvas', { width: 56, height: 56 });
    c.setAttribute('aria-hidden', 'true');
    const b = el('button', { type: 'button', class: 'thumb', id: `data-${kind}`, 'data-i18n-title': `v_${kind}`, title: tr(`v_${kind}`) }, [c, L('span', `v_${kind}`)]);
    b.addEventListener('click', () => on.change('dataset', kind));
    thumbButtons[kind] = { button: b, canvas: c };
    thumbs.append(b);
  }
  const drawHint = el('p', { class: 'hint', id: 'draw-hint' });
  const drawClass = el('div', { class: 'field', role: 'radiogroup', ...aria('drawClass') });
  for (const c of [0, 1]) {
    const r = el('input', { type: 'radio', name: 'draw-class', value: String(c), id: `draw-class-${c}`, checked: c === 0 });
    r.addEventListener('change', () => on.action(`draw-class-${c}`));
    drawClass.append(r, L('label', `class${c}`, { for: r.id, class: `swatch swatch-${c}` }));
  }
  const seedRow = number('seed', 'f_seed', { step: 1, min: 0, integer: true });
  seedRow.append(button('new-seed', 'newSeed', 'new-seed', 'newSeedTitle'));
  const dataPanel = el('section', { class: 'panel', id: 'panel-data', 'aria-labelledby': 'data-title' }, [
    L('h2', 'dataTitle', { id: 'data-title' }),
    thumbs,
    drawClass,
    drawHint,
    slider('n', 'f_n', 50, 2000, 50),
    slider('noise', 'f_noise', 0, 0.6, 0.01),
    slider('ratio', 'f_ratio', 0.1, 0.9, 0.05),
    checkbox('standardize', 'f_standardize'),
    seedRow,
  ]);

  // ---- Network ------------------------------------------------------------
  const layerList = el('div', { class: 'layers', id: 'layers' });
  const outputText = el('p', { class: 'hint', id: 'output-text' });
  const netPanel = el('section', { class: 'panel', id: 'panel-network', 'aria-labelledby': 'net-title' }, [
    L('h2', 'networkTitle', { id: 'net-title' }),
    layerList,
    select('activation', 'f_activation', ACTIVATIONS),
    select('init', 'f_init', INITS),
    checkbox('bn', 'f_bn'),
    outputText,
  ]);
  let layers = [];
  function setLayers(next) {
    on.change('layers', next);
  }
  function renderLayers() {
    layerList.replaceChildren();
    layers.forEach((n, i) => {
      const minus = el('button', { type: 'button', text: '−', 'aria-label': tr('fewerNeurons', { i: i + 1 }), disabled: n <= 1 });
      const plus = el('button', { type: 'button', text: '+', 'aria-label': tr('moreNeurons', { i: i + 1 }), disabled: n >= MAX_NEURONS });
      const remove = el('button', { type: 'button', text: '×', 'aria-label': tr('removeLayer', { i: i + 1 }) });
      minus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m - 1 : m))));
      plus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m + 1 : m))));
      remove.addEventListener('click', () => setLayers(layers.filter((_, j) => j !== i)));
      layerList.append(el('div', { class: 'layer' }, [el('span', { text: tr('hiddenLayer', { i: i + 1, n }) }), minus, plus, remove]));
    });
    const add = el('button', { type: 'button', id: 'add-layer', text: tr('addLayer'), disabled: layers.length >= MAX_LAYERS });
    add.addEventListener('click', () => setLayers([...layers, 4]));
    layerList.append(el('div', { class: 'layer' }, [el('span', { text: tr('hiddenLayers', { n: layers.length }) }), add]));
  }

  // ---- Optimizer ----------------------------------------------------------
  const lrSlider = el('input', { type: 'range', min: -5, max: 1, step: 0.05, id: 'ctl-lr-slider', ...aria('lrSlider') });
  lrSlider.addEventListener('input', () => on.change('lr', Number((10 ** Number(lrSlider.value)).toPrecision(3))));
  const lrRow = number('lr', 'f_lr', { min: 0 });
  lrRow.insertBefore(lrSlider, inputs.lr);
  const optPanel = el('section', { class: 'panel', id: 'panel-optimizer', 'aria-labelledby': 'opt-title' }, [
    L('h2', 'optimizerTitle', { id: 'opt-title' }),
    select('optimizer', 'f_optimizer', OPTIMIZERS),
    lrRow,
    number('momentum', 'f_momentum', { min: 0, max: 0.999 }),
    number('beta1', 'f_beta1', { min: 0, max: 0.999 }),
    number('beta2', 'f_beta2', { min: 0, max: 0.99999 }),
    number('alpha', 'f_alpha', { min: 0, max: 0.9999 }),
    number('eps', 'f_eps', { min: 0 }),
    select('batch', 'f_batch', ['0', '1', '8', '16', '32', '64', '128', '256']),
    select('schedule', 'f_schedule', SCHEDULES),
    number('sched_gamma', 'f_sched_gamma', { min: 0.01, max: 1 }),
    number('sched_epochs', 'f_sched_epochs', { step: 1, min: 1, integer: true }),
    select('reg', 'f_reg', ['none', 'l1', 'l2']),
    number('lambda', 'f_lambda', { min: 0 }),
    select('clip', 'f_clip', ['off', 'norm', 'value']),
    number('clip_at', 'f_clip_at', { min: 0 }),
  ]);
  inputs.batch.addEventListener('change', () => on.change('batch', Number(inputs.batch.value)));

  // ---- Run ----------------------------------------------------------------
  const play = el('button', { type: 'button', id: 'play', class: 'primary', text: tr('play'), 'aria-pressed': 'false' });
  play.addEventListener('click', () => on.action('toggle'));
  const speed = select('speed', 'f_speed', ['1', '2', '5', '10', '50', '0']);
  // Numeric choices are worded here, not by key: they leave `relabel`'s care.
  const speedTexts = () => {
    for (const o of [...inputs.speed.options, ...inputs.batch.options]) delete o.dataset.i18n;
    [...inputs.speed.options].forEach((o) => { o.textContent = o.value === '0' ? tr('asFast') : o.value === '1' ? tr('perFrameOne') : tr('perFrame', { n: Number(o.value) }); });
    [...inputs.batch.options].forEach((o) => { o.textContent = o.value === '0' ? tr('fullBatch') : o.value; });
  };
  speedTexts();
  inputs.speed.addEventListener('change', () => on.change('speed', Number(inputs.speed.value)));
  const counters = el('p', { class: 'counters', id: 'counters', 'aria-live': 'off' });
  const runPanel = el('section', { class: 'panel run', id: 'panel-run', 'aria-labelledby': 'run-title' }, [
    L('h2', 'runTitle', { id: 'run-title' }),
    el('div', { class: 'buttons' }, [
      play,
      button('step-epoch', 'stepEpoch', 'step-epoch', 'stepEpochTitle'),
      button('step-batch', 'stepBatch', 'step-batch', 'stepBatchTitle'),
      button('reset', 'reset', 'reset', 'resetTitle'),
    ]),
    counters,
    speed,
    number('max_epochs', 'f_max_epochs', { step: 1, min: 0, integer: true }),
    number('target_acc', 'f_target_acc', { min: 0, max: 100 }),
    checkbox('discretize', 'f_discretize'),
    checkbox('show_test', 'f_show_test'),
  ]);

  root.append(dataPanel, netPanel, optPanel);

  const OPT_FIELDS = {
    sgd: [], momentum: ['momentum'], nesterov: ['momentum'], rmsprop: ['alpha', 'eps'],
    adam: ['beta1', 'beta2', 'eps'], adamw: ['beta1', 'beta2', 'eps'], adagrad: ['eps'],
  };

  let shownSettings = '';

  function update(s, info) {
    // Every frame: the run's state. The inputs only when the settings changed
    // (this runs in the draw loop; rewriting ~35 inputs a frame is wasted work).
    play.textContent = tr(info.playing ? 'pause' : 'play');
    play.setAttribute('aria-pressed', String(info.playing));
    counters.textContent = tr('counters', { epoch: info.epoch, steps: info.steps, lr: Number(info.lr.toPrecision(3)) });
    const focused = root.getRootNode().activeElement;
    const key = JSON.stringify(s) + info.classes;
    if (key === shownSettings && !focused?.closest?.('.controls')) return;
    shownSettings = key;
    for (const [key, input] of Object.entries(inputs)) {
      if (focused === input) continue;
      const v = s[key];
      if (input.type === 'checkbox') input.checked = !!v;
      else if (v !== undefined) input.value = String(v);
    }
    for (const [key, out] of Object.entries(live)) out.textContent = String(s[key]);
    if (focused !== lrSlider) lrSlider.value = String(Math.log10(s.lr));
    for (const [kind, t] of Object.entries(thumbButtons)) t.button.setAttribute('aria-pressed', String(kind === s.dataset));
    const generated = s.dataset !== 'tutorial' && s.dataset !== 'custom';
    rows.n.hidden = !generated;
    rows.noise.hidden = !generated;
    rows.ratio.hidden = s.dataset === 'tutorial';
    drawClass.hidden = s.dataset !== 'custom';
    drawHint.hidden = s.dataset !== 'custom';
    drawHint.textContent = tr('drawHint');
    for (const k of ['momentum', 'beta1', 'beta2', 'alpha', 'eps']) rows[k].hidden = !OPT_FIELDS[s.optimizer].includes(k);
    rows.sched_gamma.hidden = !['step', 'exponential'].includes(s.schedule);
    rows.sched_epochs.hidden = s.schedule === 'constant';
    rows.lambda.hidden = s.reg === 'none';
    rows.clip_at.hidden = s.clip === 'off';
    // An author's `<key>_hide=1` wins over everything above.
    for (const [k, r] of Object.entries(rows)) if (s[`${k}_hide`]) r.hidden = true;
    thumbs.hidden = s.dataset_hide;
    layerList.hidden = s.layers_hide;
    if (![...inputs.batch.options].some((o) => o.value === String(s.batch))) {
      inputs.batch.append(el('option', { value: String(s.batch), text: String(s.batch) }));
      inputs.batch.value = String(s.batch);
    }
    if (JSON.stringify(layers) !== JSON.stringify(s.layers)) {
      layers = [...s.layers];
      renderLayers();
    }
    outputText.textContent = tr(info.classes > 2 ? 'outputSoftmax' : 'outputSigmoid', { k: info.classes });
  }

  /** After a language switch: labelled text is rewritten, the rest on the next update. */
  function relabel() {
    speedTexts();
    renderLayers();
    shownSettings = '';
  }

  return { update, relabel, runPanel, thumbCanvas: (kind) => thumbButtons[kind].canvas };
}
