// The control panels (Data, Network, Optimizer, Run), built from DOM nodes
// only — never from HTML strings. Data flows down through `update(settings,
// info)`; user actions flow up through `on.change(key, value)` and
// `on.action(name)`.
import { el } from './dom.js';
import { ACTIVATIONS, DATASETS, INITS, MAX_LAYERS, MAX_NEURONS, OPTIMIZERS, SCHEDULES, describeOutput } from './settings.js';

const LABELS = {
  moons: 'Moons', circles: 'Circles', xor: 'XOR', gaussians: 'Gaussians', spiral: 'Spiral', spiral3: 'Spiral, 3 classes',
  tutorial: 'Tutorial data', custom: 'Draw your own',
  relu: 'ReLU', leaky_relu: 'Leaky ReLU', tanh: 'tanh', sigmoid: 'Sigmoid', elu: 'ELU', gelu: 'GELU', linear: 'Linear',
  he_normal: 'He normal', he_uniform: 'He uniform', xavier_normal: 'Xavier normal', xavier_uniform: 'Xavier uniform',
  lecun_normal: 'LeCun normal', uniform: 'Uniform ±0.5', zeros: 'Zeros',
  sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', rmsprop: 'RMSprop', adam: 'Adam', adamw: 'AdamW', adagrad: 'Adagrad',
  constant: 'Constant', step: 'Step decay', exponential: 'Exponential', cosine: 'Cosine annealing',
  warmup_cosine: 'Warm-up + cosine', cyclic: 'Cyclic (triangular)',
};

export function mountControls(root, on) {
  const inputs = {}; // key -> input element
  const rows = {}; // key -> row element (to show and hide)
  const live = {};

  function row(key, labelText, input, extra = []) {
    input.id = `ctl-${key}`;
    inputs[key] = input;
    const r = el('div', { class: 'field' }, [el('label', { for: input.id, text: labelText }), input, ...extra]);
    rows[key] = r;
    return r;
  }

  function select(key, labelText, choices) {
    const s = el('select');
    for (const c of choices) s.append(el('option', { value: c, text: LABELS[c] ?? c }));
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
    const r = el('div', { class: 'field check' }, [i, el('label', { for: `ctl-${key}`, text: labelText })]);
    i.id = `ctl-${key}`;
    inputs[key] = i;
    rows[key] = r;
    return r;
  }

  function button(id, text, action, title = '') {
    const b = el('button', { type: 'button', id, text, title });
    b.addEventListener('click', () => on.action(action));
    return b;
  }

  // ---- Data ---------------------------------------------------------------
  const thumbs = el('div', { class: 'thumbs', role: 'group', 'aria-label': 'Dataset' });
  const thumbButtons = {};
  for (const kind of DATASETS) {
    const c = el('canvas', { width: 56, height: 56 });
    c.setAttribute('aria-hidden', 'true');
    const b = el('button', { type: 'button', class: 'thumb', id: `data-${kind}`, title: LABELS[kind] }, [c, el('span', { text: LABELS[kind] })]);
    b.addEventListener('click', () => on.change('dataset', kind));
    thumbButtons[kind] = { button: b, canvas: c };
    thumbs.append(b);
  }
  const drawHint = el('p', { class: 'hint', id: 'draw-hint' });
  const drawClass = el('div', { class: 'field', role: 'radiogroup', 'aria-label': 'Class of new points' });
  for (const c of [0, 1]) {
    const r = el('input', { type: 'radio', name: 'draw-class', value: String(c), id: `draw-class-${c}`, checked: c === 0 });
    r.addEventListener('change', () => on.action(`draw-class-${c}`));
    drawClass.append(r, el('label', { for: r.id, text: `class ${c}`, class: `swatch swatch-${c}` }));
  }
  const seedRow = number('seed', 'Seed', { step: 1, min: 0, integer: true });
  seedRow.append(button('new-seed', 'New seed', 'new-seed', 'Draw a fresh random seed'));
  const dataPanel = el('section', { class: 'panel', 'aria-labelledby': 'data-title' }, [
    el('h2', { id: 'data-title', text: 'Data' }),
    thumbs,
    drawClass,
    drawHint,
    slider('n', 'Points', 50, 2000, 50),
    slider('noise', 'Noise', 0, 0.6, 0.01),
    slider('ratio', 'Training share', 0.1, 0.9, 0.05),
    checkbox('standardize', 'Standardise (fit on the training points)'),
    seedRow,
  ]);

  // ---- Network ------------------------------------------------------------
  const layerList = el('div', { class: 'layers', id: 'layers' });
  const outputText = el('p', { class: 'hint', id: 'output-text' });
  const netPanel = el('section', { class: 'panel', 'aria-labelledby': 'net-title' }, [
    el('h2', { id: 'net-title', text: 'Network' }),
    layerList,
    select('activation', 'Activation', ACTIVATIONS),
    select('init', 'Initialiser', INITS),
    checkbox('bn', 'Batch normalisation'),
    outputText,
  ]);
  let layers = [];
  function setLayers(next) {
    on.change('layers', next);
  }
  function renderLayers() {
    layerList.replaceChildren();
    layers.forEach((n, i) => {
      const minus = el('button', { type: 'button', text: '−', 'aria-label': `Fewer neurons in layer ${i + 1}`, disabled: n <= 1 });
      const plus = el('button', { type: 'button', text: '+', 'aria-label': `More neurons in layer ${i + 1}`, disabled: n >= MAX_NEURONS });
      const remove = el('button', { type: 'button', text: '×', 'aria-label': `Remove layer ${i + 1}` });
      minus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m - 1 : m))));
      plus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m + 1 : m))));
      remove.addEventListener('click', () => setLayers(layers.filter((_, j) => j !== i)));
      layerList.append(el('div', { class: 'layer' }, [el('span', { text: `Hidden ${i + 1}: ${n} neurons` }), minus, plus, remove]));
    });
    const add = el('button', { type: 'button', id: 'add-layer', text: 'Add layer', disabled: layers.length >= MAX_LAYERS });
    add.addEventListener('click', () => setLayers([...layers, 4]));
    layerList.append(el('div', { class: 'layer' }, [el('span', { text: `${layers.length} hidden layers` }), add]));
  }

  // ---- Optimizer ----------------------------------------------------------
  const lrSlider = el('input', { type: 'range', min: -5, max: 1, step: 0.05, id: 'ctl-lr-slider', 'aria-label': 'Learning rate (log scale)' });
  lrSlider.addEventListener('input', () => on.change('lr', Number((10 ** Number(lrSlider.value)).toPrecision(3))));
  const lrRow = number('lr', 'Learning rate', { min: 0 });
  lrRow.insertBefore(lrSlider, inputs.lr);
  const optPanel = el('section', { class: 'panel', 'aria-labelledby': 'opt-title' }, [
    el('h2', { id: 'opt-title', text: 'Optimizer' }),
    select('optimizer', 'Optimizer', OPTIMIZERS),
    lrRow,
    number('momentum', 'Momentum', { min: 0, max: 0.999 }),
    number('beta1', 'β₁', { min: 0, max: 0.999 }),
    number('beta2', 'β₂', { min: 0, max: 0.99999 }),
    number('alpha', 'α (decay)', { min: 0, max: 0.9999 }),
    number('eps', 'ε', { min: 0 }),
    select('batch', 'Batch size', ['0', '1', '8', '16', '32', '64', '128', '256']),
    select('schedule', 'Schedule', SCHEDULES),
    number('sched_gamma', 'Decay factor γ', { min: 0.01, max: 1 }),
    number('sched_epochs', 'Schedule length (epochs)', { step: 1, min: 1, integer: true }),
    select('reg', 'Regularisation', ['none', 'l1', 'l2']),
    number('lambda', 'Strength λ', { min: 0 }),
    select('clip', 'Gradient clipping', ['off', 'norm', 'value']),
    number('clip_at', 'Clip threshold', { min: 0 }),
  ]);
  inputs.batch.options[0].textContent = 'Full batch';
  inputs.batch.addEventListener('change', () => on.change('batch', Number(inputs.batch.value)));
  for (const [k, t] of [['reg', ['None', 'L1', 'L2']], ['clip', ['Off', 'By norm', 'By value']]]) {
    [...inputs[k].options].forEach((o, i) => { o.textContent = t[i]; });
  }

  // ---- Run ----------------------------------------------------------------
  const play = el('button', { type: 'button', id: 'play', class: 'primary', text: 'Play', 'aria-pressed': 'false' });
  play.addEventListener('click', () => on.action('toggle'));
  const speed = select('speed', 'Speed', ['1', '2', '5', '10', '50', '0']);
  [...inputs.speed.options].forEach((o) => { o.textContent = o.value === '0' ? 'As fast as possible' : `${o.value} epoch${o.value === '1' ? '' : 's'} per frame`; });
  inputs.speed.addEventListener('change', () => on.change('speed', Number(inputs.speed.value)));
  const counters = el('p', { class: 'counters', id: 'counters', 'aria-live': 'off' });
  const runPanel = el('section', { class: 'panel run', 'aria-labelledby': 'run-title' }, [
    el('h2', { id: 'run-title', text: 'Run' }),
    el('div', { class: 'buttons' }, [
      play,
      button('step-epoch', 'Step epoch', 'step-epoch', 'One epoch (→)'),
      button('step-batch', 'Step batch', 'step-batch', 'One mini-batch'),
      button('reset', 'Reset', 'reset', 'New initial weights from the seed (r)'),
    ]),
    counters,
    speed,
    number('max_epochs', 'Stop after epochs (0 = never)', { step: 1, min: 0, integer: true }),
    number('target_acc', 'Stop at test accuracy % (0 = never)', { min: 0, max: 100 }),
    checkbox('discretize', 'Discrete boundary'),
    checkbox('show_test', 'Show test points (hollow)'),
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
    play.textContent = info.playing ? 'Pause' : 'Play';
    play.setAttribute('aria-pressed', String(info.playing));
    counters.textContent = `Epoch ${info.epoch} · step ${info.steps} · lr ${Number(info.lr.toPrecision(3))}`;
    const key = JSON.stringify(s) + info.classes;
    if (key === shownSettings && !document.activeElement?.closest?.('.controls')) return;
    shownSettings = key;
    for (const [key, input] of Object.entries(inputs)) {
      if (document.activeElement === input) continue;
      const v = s[key];
      if (input.type === 'checkbox') input.checked = !!v;
      else if (v !== undefined) input.value = String(v);
    }
    for (const [key, out] of Object.entries(live)) out.textContent = String(s[key]);
    if (document.activeElement !== lrSlider) lrSlider.value = String(Math.log10(s.lr));
    for (const [kind, t] of Object.entries(thumbButtons)) t.button.setAttribute('aria-pressed', String(kind === s.dataset));
    const generated = s.dataset !== 'tutorial' && s.dataset !== 'custom';
    rows.n.hidden = !generated;
    rows.noise.hidden = !generated;
    rows.ratio.hidden = s.dataset === 'tutorial';
    drawClass.hidden = s.dataset !== 'custom';
    drawHint.hidden = s.dataset !== 'custom';
    drawHint.textContent = 'Click the plot to add a point of the chosen class; shift-click adds the other class; alt/ctrl-click or a long press removes the nearest.';
    for (const k of ['momentum', 'beta1', 'beta2', 'alpha', 'eps']) rows[k].hidden = !OPT_FIELDS[s.optimizer].includes(k);
    rows.sched_gamma.hidden = !['step', 'exponential'].includes(s.schedule);
    rows.sched_epochs.hidden = s.schedule === 'constant';
    rows.lambda.hidden = s.reg === 'none';
    rows.clip_at.hidden = s.clip === 'off';
    if (![...inputs.batch.options].some((o) => o.value === String(s.batch))) {
      inputs.batch.append(el('option', { value: String(s.batch), text: String(s.batch) }));
      inputs.batch.value = String(s.batch);
    }
    if (JSON.stringify(layers) !== JSON.stringify(s.layers)) {
      layers = [...s.layers];
      renderLayers();
    }
    outputText.textContent = describeOutput(info.classes);
  }

  return { update, runPanel, thumbCanvas: (kind) => thumbButtons[kind].canvas };
}
