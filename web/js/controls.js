// The control panels (Data, Network, Optimizer, Run), built from DOM nodes
// only — never from HTML strings. Data flows down through `update(settings,
// info)`; user actions flow up through `on.change(key, value)` and
// `on.action(name)`. Choices, bounds and which fields matter come from the
// settings table (settings.js, from the engine). Some controls offer less
// than a link may hold (the sliders, 8 layers of 32 units): `unshown`
// names the values they cannot show, so the page can say so.
import { el } from './dom.js';
import { labelled } from './i18n.js';
import { SPEC, applies, rawValue, rangeText } from './settings.js';

/** The network editor's reach: a link may hold more (the engine's table says how much). */
const CONTROL_LAYERS = 8;
const CONTROL_UNITS = 32;
/** Each slider's reach, `[min, max, step]`. */
const SLIDERS = { n: [50, 2000, 50], noise: [0, 0.6, 0.01], ratio: [0.1, 0.9, 0.05] };

/**
 * The field builders the panels share, acting through `on` and worded by
 * `tr`: each registers its input (`inputs`), its row (`rows`, shown and
 * hidden by `update`) and a slider's live value (`live`) by setting key.
 */
function fields(on, tr) {
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

  /**
   * A menu of `choices`; `read` turns the chosen option's text into the
   * value (numbers for batch and speed); `send` passes it on.
   */
  function select(key, labelText, choices = SPEC[key].choices, read = (v) => v, send = (v) => on.change(key, v)) {
    const s = el('select');
    for (const c of choices) s.append(L('option', `v_${c}`, { value: c }));
    s.addEventListener('change', () => send(read(s.value)));
    return row(key, labelText, s);
  }

  /** A number field; its bounds are the table's closed ends (an open end has no HTML form). */
  function number(key, labelText) {
    const spec = SPEC[key];
    const integer = spec.kind === 'whole';
    const i = el('input', { type: 'number', step: integer ? 1 : 'any', inputMode: 'decimal' });
    if (spec.min?.inclusive) i.min = spec.min.value;
    if (spec.max?.inclusive) i.max = spec.max.value;
    // Passed on as typed: what the engine cannot use is named, never rounded away.
    i.addEventListener('change', () => {
      if (i.value.trim() !== '') on.change(key, i.value.trim());
    });
    return row(key, labelText, i);
  }

  function slider(key, labelText) {
    const [min, max, step] = SLIDERS[key];
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

  return { L, aria, inputs, rows, live, row, select, number, slider, checkbox, button };
}

/** The Data panel: the datasets as thumbnails, the class a click draws, the sliders and the seed. */
function dataPanel(f, on, tr) {
  const { L, aria, number, slider, checkbox, button, select } = f;
  const thumbs = el('div', { class: 'thumbs', role: 'group', ...aria('f_dataset') });
  const thumbButtons = {};
  for (const kind of SPEC.dataset.choices) {
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
  const seedRow = number('seed', 'f_seed');
  seedRow.append(button('new-seed', 'newSeed', 'new-seed', 'newSeedTitle'));
  const panel = el('section', { class: 'panel', id: 'panel-data', 'aria-labelledby': 'data-title' }, [
    L('h2', 'dataTitle', { id: 'data-title' }),
    thumbs,
    drawClass,
    drawHint,
    select('custom', 'f_custom'),
    slider('n', 'f_n'),
    slider('noise', 'f_noise'),
    slider('ratio', 'f_ratio'),
    checkbox('standardize', 'f_standardize'),
    seedRow,
  ]);
  return { panel, thumbs, thumbButtons, drawClass, drawHint };
}

/**
 * The network's inputs as toggles, one per feature of the engine's
 * `features` set; at least one stays on. `update(s)` shows `s.features`.
 */
function featureToggles(on, tr) {
  const names = SPEC.features.choices;
  const box = el('div', { class: 'field features', id: 'features', role: 'group', 'data-i18n-aria': 'f_features', 'aria-label': tr('f_features') });
  box.append(labelled(tr, 'span', 'f_features', { class: 'features-title' }));
  const toggles = {};
  for (const name of names) {
    const i = el('input', { type: 'checkbox', id: `feature-${name}` });
    i.addEventListener('change', () => on.change('features', names.filter((n) => toggles[n].checked)));
    toggles[name] = i;
    box.append(el('span', { class: 'toggle' }, [i, labelled(tr, 'label', `v_${name}`, { for: i.id })]));
  }
  function update(s) {
    for (const [name, i] of Object.entries(toggles)) {
      i.checked = s.features.includes(name);
      // The last input on cannot be switched off: the engine needs at least one.
      i.disabled = i.checked && s.features.length === 1;
    }
    box.hidden = !!s.features_hide;
  }
  return { box, update };
}

/** Each hidden layer's activation: the per-layer list, or the common one for every layer. */
function perLayer(s) {
  return s.layers.map((_, i) => s.activations[i] ?? s.activation);
}

/**
 * The network editor: each hidden layer's size and activation, a layer to
 * add; `update(s)` shows `s.layers` and each layer's activation.
 */
function layerEditor(on, tr) {
  const list = el('div', { class: 'layers', id: 'layers' });
  let layers = [];
  let acts = []; // each hidden layer's activation, as shown
  let current = { activations: [], activation: '', activations_hide: false }; // the settings last shown
  /**
   * Sends new layer sizes; a per-layer list of activations follows them:
   * `from[j]` is the layer whose activation layer `j` keeps (-1: a new
   * layer, which takes the common one).
   */
  function setLayers(next, from = next.map((_, j) => j)) {
    if (!current.activations.length) return on.change('layers', next);
    return on.apply({ layers: next, activations: from.map((j) => (j >= 0 ? acts[j] : current.activation)) });
  }
  function layerActivation(i) {
    const pick = el('select', { id: `layer-activation-${i}`, 'aria-label': tr('layerActivation', { i: i + 1 }) });
    for (const c of SPEC.activations.choices) pick.append(labelled(tr, 'option', `v_${c}`, { value: c }));
    pick.value = acts[i];
    pick.hidden = !!current.activations_hide;
    pick.addEventListener('change', () => on.change('activations', acts.map((a, j) => (j === i ? pick.value : a))));
    return pick;
  }
  function render() {
    list.replaceChildren();
    const kept = layers.map((_, j) => j);
    layers.forEach((n, i) => {
      const minus = el('button', { type: 'button', text: '−', 'aria-label': tr('fewerNeurons', { i: i + 1 }), disabled: n <= 1 });
      const plus = el('button', { type: 'button', text: '+', 'aria-label': tr('moreNeurons', { i: i + 1 }), disabled: n >= CONTROL_UNITS });
      const remove = el('button', { type: 'button', text: '×', 'aria-label': tr('removeLayer', { i: i + 1 }) });
      minus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m - 1 : m))));
      plus.addEventListener('click', () => setLayers(layers.map((m, j) => (j === i ? m + 1 : m))));
      remove.addEventListener('click', () => setLayers(layers.filter((_, j) => j !== i), kept.filter((j) => j !== i)));
      list.append(el('div', { class: 'layer' }, [el('span', { text: tr('hiddenLayer', { i: i + 1, n }) }), layerActivation(i), minus, plus, remove]));
    });
    const add = el('button', { type: 'button', id: 'add-layer', text: tr('addLayer'), disabled: layers.length >= CONTROL_LAYERS });
    add.addEventListener('click', () => setLayers([...layers, 4], [...kept, -1]));
    list.append(el('div', { class: 'layer' }, [el('span', { text: tr('hiddenLayers', { n: layers.length }) }), add]));
  }
  function update(s) {
    const hideChanged = !!s.activations_hide !== !!current.activations_hide;
    current = s;
    if (hideChanged || JSON.stringify([layers, acts]) !== JSON.stringify([s.layers, perLayer(s)])) {
      layers = [...s.layers];
      acts = perLayer(s);
      render();
    }
  }
  return { list, update, render, shown: () => current };
}

/** The Optimizer panel; returns it and the learning rate's log-scale slider. */
function optimizerPanel(f, on) {
  const { L, aria, inputs, number, select } = f;
  const lrSlider = el('input', { type: 'range', min: -5, max: 1, step: 0.05, id: 'ctl-lr-slider', ...aria('lrSlider') });
  lrSlider.addEventListener('input', () => on.change('lr', Number((10 ** Number(lrSlider.value)).toPrecision(3))));
  const lrRow = number('lr', 'f_lr');
  lrRow.insertBefore(lrSlider, inputs.lr);
  const panel = el('section', { class: 'panel', id: 'panel-optimizer', 'aria-labelledby': 'opt-title' }, [
    L('h2', 'optimizerTitle', { id: 'opt-title' }),
    select('optimizer', 'f_optimizer'),
    lrRow,
    number('momentum', 'f_momentum'),
    number('beta1', 'f_beta1'),
    number('beta2', 'f_beta2'),
    number('alpha', 'f_alpha'),
    number('eps', 'f_eps'),
    select('batch', 'f_batch', ['0', '1', '8', '16', '32', '64', '128', '256'], Number),
    select('schedule', 'f_schedule'),
    number('sched_gamma', 'f_sched_gamma'),
    number('sched_epochs', 'f_sched_epochs'),
    select('reg', 'f_reg'),
    number('lambda', 'f_lambda'),
    select('clip', 'f_clip'),
    number('clip_at', 'f_clip_at'),
  ]);
  return { panel, lrSlider };
}

/**
 * The values in `s` a control cannot show (a slider's or the network
 * editor's reach is less than a link's): `[{ key, value, offers }]`, the
 * value as a link writes it and what the control offers, in `tr`'s words.
 * Fields that do not matter or that the author hid are left out.
 */
function unshownValues(s, tr) {
  const out = [];
  const shown = (key) => applies(key, s) && !s[`${key}_hide`];
  for (const [key, [min, max]] of Object.entries(SLIDERS)) {
    if (shown(key) && (s[key] < min || s[key] > max)) {
      out.push({ key, value: rawValue(s[key]), offers: rangeText({ value: min, inclusive: true }, { value: max, inclusive: true }) });
    }
  }
  if (shown('layers') && (s.layers.length > CONTROL_LAYERS || s.layers.some((n) => n > CONTROL_UNITS))) {
    out.push({ key: 'layers', value: rawValue(s.layers), offers: tr('layersOffer', { layers: CONTROL_LAYERS, units: CONTROL_UNITS }) });
  }
  return out;
}

/**
 * Mounts the panels in `root` (the Run panel is returned for the page to
 * place); `tr(key, params)` gives the current language's text.
 */
export function mountControls(root, on, tr) {
  const f = fields(on, tr);
  const { L, inputs, rows, live, select, number, checkbox, button } = f;

  // ---- Data ---------------------------------------------------------------
  const { panel: dataSection, thumbs, thumbButtons, drawClass, drawHint } = dataPanel(f, on, tr);

  // ---- Network ------------------------------------------------------------
  const outputText = el('p', { class: 'hint', id: 'output-text' });
  const toggles = featureToggles(on, tr);
  const editor = layerEditor(on, tr);
  const layerList = editor.list;
  // The common activation replaces any per-layer list: every layer takes it.
  const allLayers = (v) => (editor.shown().activations.length ? on.apply({ activation: v, activations: [] }) : on.change('activation', v));
  const netPanel = el('section', { class: 'panel', id: 'panel-network', 'aria-labelledby': 'net-title' }, [
    L('h2', 'networkTitle', { id: 'net-title' }),
    toggles.box,
    layerList,
    select('activation', 'f_activation', SPEC.activation.choices, (v) => v, allLayers),
    select('init', 'f_init'),
    checkbox('bn', 'f_bn'),
    outputText,
  ]);
  // ---- Optimizer ----------------------------------------------------------
  const { panel: optPanel, lrSlider } = optimizerPanel(f, on);

  // ---- Run ----------------------------------------------------------------
  const play = el('button', { type: 'button', id: 'play', class: 'primary', text: tr('play'), 'aria-pressed': 'false' });
  play.addEventListener('click', () => on.action('toggle'));
  const speed = select('speed', 'f_speed', ['1', '2', '5', '10', '50', '0'], Number);
  // Numeric choices are worded here, not by key: they leave `relabel`'s care.
  const speedTexts = () => {
    for (const o of [...inputs.speed.options, ...inputs.batch.options]) delete o.dataset.i18n;
    [...inputs.speed.options].forEach((o) => { o.textContent = o.value === '0' ? tr('asFast') : o.value === '1' ? tr('perFrameOne') : tr('perFrame', { n: Number(o.value) }); });
    [...inputs.batch.options].forEach((o) => { o.textContent = o.value === '0' ? tr('fullBatch') : o.value; });
  };
  speedTexts();
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
    number('max_epochs', 'f_max_epochs'),
    number('target_acc', 'f_target_acc'),
    checkbox('discretize', 'f_discretize'),
    checkbox('show_test', 'f_show_test'),
  ]);

  root.append(dataSection, netPanel, optPanel);

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
    drawClass.hidden = s.dataset !== 'custom';
    drawHint.hidden = s.dataset !== 'custom';
    drawHint.textContent = tr('drawHint');
    // A field shows while it matters (the table's `when`: momentum only for SGD with momentum, …).
    for (const [k, r] of Object.entries(rows)) r.hidden = !applies(k, s);
    // An author's `<key>_hide=1` wins over everything above.
    for (const [k, r] of Object.entries(rows)) if (s[`${k}_hide`]) r.hidden = true;
    thumbs.hidden = s.dataset_hide;
    layerList.hidden = s.layers_hide;
    if (![...inputs.batch.options].some((o) => o.value === String(s.batch))) {
      inputs.batch.append(el('option', { value: String(s.batch), text: String(s.batch) }));
      inputs.batch.value = String(s.batch);
    }
    toggles.update(s);
    editor.update(s);
    outputText.textContent = tr(info.classes > 2 ? 'outputSoftmax' : 'outputSigmoid', { k: info.classes });
  }

  /** After a language switch: labelled text is rewritten, the rest on the next update. */
  function relabel() {
    speedTexts();
    editor.render();
    shownSettings = '';
  }

  return { update, relabel, unshown: (s) => unshownValues(s, tr), runPanel, thumbCanvas: (kind) => thumbButtons[kind].canvas };
}
