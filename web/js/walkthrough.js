// Backprop, explained live: one training point, stepped through forward,
// the loss, backward and the update with the live network's own numbers,
// in English or 简体中文, with the formulas in MathML.
import { canvasPoint, el, nearestSegment } from './dom.js';
import { labelled, relabel } from './i18n.js';

const MATHML = 'http://www.w3.org/1998/Math/MathML';
const SIG = 6; // significant digits shown

function num(v) {
  if (!Number.isFinite(v)) return '–';
  return Number(v.toPrecision(SIG)).toString();
}

// ---- MathML, built from nodes ------------------------------------------------
function m(tag, ...kids) {
  const n = document.createElementNS(MATHML, tag);
  for (const k of kids) n.append(typeof k === 'string' ? document.createTextNode(k) : k);
  return n;
}
const mi = (x) => m('mi', x);
const mo = (x) => m('mo', x);
const mn = (x) => m('mn', x);
const row = (...k) => m('mrow', ...k);
const sup = (b, e) => m('msup', b, e);
const layerSup = (sym, l) => sup(mi(sym), row(mo('['), mn(String(l)), mo(']')));
const math = (...k) => {
  const n = m('math', ...k);
  n.setAttribute('display', 'block');
  return n;
};

function formulaFor(stage, L) {
  if (stage.kind === 'forward') {
    const l = stage.layer + 1;
    return [
      math(layerSup('z', l), mo('='), layerSup('a', l - 1), layerSup('W', l), mo('+'), layerSup('b', l)),
      math(layerSup('a', l), mo('='), l === L ? mi('σ') : mi('f'), mo('('), layerSup('z', l), mo(')')),
    ];
  }
  if (stage.kind === 'loss') {
    return [
      math(mi('L'), mo('='), mo('−'), mo('('), mi('y'), mo('log'), mi('ŷ'), mo('+'), mo('('), mn('1'), mo('−'), mi('y'), mo(')'), mo('log'), mo('('), mn('1'), mo('−'), mi('ŷ'), mo(')'), mo(')')),
      math(layerSup('δ', L), mo('='), mfrac(mo('∂L'), row(mo('∂'), layerSup('z', L))), mo('='), mi('ŷ'), mo('−'), mi('y')),
    ];
  }
  if (stage.kind === 'backward') {
    const l = stage.layer + 1;
    const rows = [];
    if (l < L) {
      rows.push(math(layerSup('δ', l), mo('='), mo('('), layerSup('δ', l + 1), sup(layerSup('W', l + 1), mi('T')), mo(')'), mo('⊙'), mi('f′'), mo('('), layerSup('z', l), mo(')')));
    } else {
      rows.push(math(layerSup('δ', L), mo('='), mi('ŷ'), mo('−'), mi('y')));
    }
    rows.push(math(mfrac(mo('∂L'), row(mo('∂'), layerSup('W', l))), mo('='), sup(layerSup('a', l - 1), mi('T')), layerSup('δ', l), mo(','), mspace(), mfrac(mo('∂L'), row(mo('∂'), layerSup('b', l))), mo('='), layerSup('δ', l)));
    return rows;
  }
  return [math(mi('w'), mo('←'), mi('w'), mo('−'), mi('η'), mfrac(mo('∂L'), row(mo('∂'), mi('w'))))];
}
function mfrac(a, b) {
  return m('mfrac', a, b);
}
function mspace() {
  const s = m('mspace');
  s.setAttribute('width', '1em');
  return s;
}

/** The stages of one training step through a network of `L` layers: forward, loss, backward, update. */
function stages(L) {
  const list = [];
  for (let l = 0; l < L; l++) list.push({ kind: 'forward', layer: l });
  list.push({ kind: 'loss' });
  for (let l = L - 1; l >= 0; l--) list.push({ kind: 'backward', layer: l });
  list.push({ kind: 'update' });
  return list;
}

/** A table cell showing `v`, with its exact value and what it is as data (the tests read them). */
function valueCell(v, key) {
  const td = el('td', { text: num(v) });
  td.dataset.value = String(v);
  td.dataset.key = key;
  return td;
}

/** The words under the formula for `stage` of `trace`, on `run`'s network. */
function explainText(stage, trace, run, tr) {
  const L = trace.layers.length;
  const out = trace.layers[L - 1];
  const { output, activations } = run.layout();
  // The true class's probability for softmax; the single output otherwise.
  const cls = output === 'softmax_ce' ? trace.label : 0;
  const yhat = out.a[cls];
  const activation = activations[0] ?? 'relu';
  const lossKey = { sigmoid_bce: 'lossText', softmax_ce: 'lossTextCe', identity_mse: 'lossTextMse' }[output];
  const deltaKey = { sigmoid_bce: 'outputDelta', softmax_ce: 'outputDeltaCe', identity_mse: 'outputDeltaMse' }[output];
  if (stage.kind === 'forward') {
    const outKey = { sigmoid_bce: 'forwardOutput', softmax_ce: 'forwardOutputCe', identity_mse: 'forwardOutputMse' }[output];
    return stage.layer === L - 1 ? tr(outKey, { yhat: num(yhat) }) : tr('forwardText', { l: stage.layer + 1, f: tr(`v_${activation}`) });
  }
  if (stage.kind === 'loss') {
    const y = output === 'softmax_ce' ? trace.label : trace.target[0];
    return `${tr(lossKey, { yhat: num(yhat), y, loss: num(trace.loss) })} ${tr(deltaKey, { delta: num(out.delta[0]) })}`;
  }
  if (stage.kind === 'backward') {
    const tl = trace.layers[stage.layer];
    const dead = tl.f_prime.filter((d) => d === 0).length;
    return `${stage.layer === L - 1 ? tr(deltaKey, { delta: num(out.delta[0]) }) : tr('backwardText', { l: stage.layer + 1, dead })} ${tr('gradText')}`;
  }
  return tr('updateText', { lr: num(run.lr) });
}

/**
 * Draws the network on `canvas` at `stage` of `trace`: links by weight (the
 * chosen `weight` highlighted), units with their value or delta, dead ReLUs
 * crossed. Returns the links, for picking a weight with the pointer.
 */
function drawStage(canvas, stage, trace, weight, run) {
  const g = canvas.getContext('2d');
  const sizes = [trace.input.length, ...trace.layers.map((l) => l.a.length)];
  const cols = sizes.length;
  const maxN = Math.max(...sizes);
  const r = Math.max(5, Math.min(20, (canvas.height - 20) / maxN / 2 - 2));
  const gapX = (canvas.width - 80) / (cols - 1);
  const pos = sizes.map((n, c) => Array.from({ length: n }, (_, j) => ({ x: 40 + c * gapX, y: canvas.height / 2 + (j - (n - 1) / 2) * (2 * r + 4) })));
  const css = getComputedStyle(canvas);
  const fg = css.getPropertyValue('--fg').trim();
  const muted = css.getPropertyValue('--border').trim();
  const accent = css.getPropertyValue('--accent').trim();
  const active = stage.kind === 'forward' || stage.kind === 'backward' ? stage.layer + 1 : -1;
  const params = run.params();
  const links = [];
  run.layout().layers.forEach((l, li) => {
    for (let p = 0; p < l.n_in; p++) {
      for (let j = 0; j < l.n_out; j++) {
        const a = pos[li][p];
        const b = pos[li + 1][j];
        const index = l.w + p * l.n_out + j;
        links.push({ x1: a.x, y1: a.y, x2: b.x, y2: b.y, layer: li, from: p, to: j, index });
        const chosen = weight && weight.index === index;
        g.strokeStyle = chosen ? accent : li + 1 === active ? fg : muted;
        g.globalAlpha = chosen ? 1 : li + 1 === active ? 0.5 : 0.35;
        g.lineWidth = chosen ? 3 : 0.6 + 1.2 * Math.min(1, Math.abs(params[index]));
        g.beginPath(); g.moveTo(a.x, a.y); g.lineTo(b.x, b.y); g.stroke();
      }
    }
  });
  g.globalAlpha = 1;
  g.font = `${Math.max(9, Math.min(12, r))}px system-ui, sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  sizes.forEach((n, c) => {
    for (let j = 0; j < n; j++) {
      const { x, y } = pos[c][j];
      let value;
      let dead = false;
      if (c === 0) value = trace.input[j];
      else {
        const tl = trace.layers[c - 1];
        const backward = stage.kind === 'backward' && c - 1 >= stage.layer;
        const upToHere = stage.kind !== 'forward' || c - 1 <= stage.layer;
        if (backward || stage.kind === 'update') value = tl.delta[j];
        else if (upToHere) value = tl.a[j];
        dead = stage.kind === 'backward' && c - 1 >= stage.layer && tl.f_prime.length > 0 && tl.f_prime[j] === 0;
      }
      g.beginPath();
      g.arc(x, y, r, 0, 2 * Math.PI);
      g.fillStyle = dead ? muted : c === active ? accent : css.getPropertyValue('--panel').trim();
      g.fill();
      g.strokeStyle = fg;
      g.lineWidth = 1;
      g.stroke();
      if (value !== undefined && r >= 9) {
        g.fillStyle = c === active && !dead ? '#fff' : fg;
        g.fillText(Number(value.toPrecision(2)).toString(), x, y);
      }
      if (dead) {
        g.strokeStyle = '#c0392b';
        g.beginPath(); g.moveTo(x - r * 0.6, y - r * 0.6); g.lineTo(x + r * 0.6, y + r * 0.6); g.stroke();
      }
    }
  });
  return links;
}

/** Fills the `values` table for `stage`: the output's figures, or one layer's per unit. */
function drawValues(values, stage, trace, tr) {
  if (stage.kind === 'update' || stage.kind === 'loss') {
    const out = trace.layers[trace.layers.length - 1];
    values.replaceChildren(
      el('tr', {}, [el('th', { text: 'ŷ' }), el('th', { text: 'y' }), el('th', { text: 'L' }), el('th', { text: 'δ = ŷ − y' })]),
      el('tr', {}, [out.a[0], trace.target[0], trace.loss, out.delta[0]].map((v, k) => valueCell(v, ['yhat', 'y', 'loss', 'delta'][k]))),
    );
    return;
  }
  const l = stage.layer;
  const tl = trace.layers[l];
  const hidden = tl.f_prime.length > 0;
  const cols = stage.kind === 'forward' ? ['z', 'a'] : hidden ? ['f_prime', 'delta', 'db'] : ['delta', 'db'];
  const names = { z: tr('colZ'), a: tr('colA'), f_prime: tr('colDf'), delta: tr('colDelta'), db: tr('colDb') };
  const head = el('tr', {}, [el('th', { text: tr('unit') }), ...cols.map((c) => el('th', { text: names[c] }))]);
  const rows = tl.z.map((_, j) => el('tr', {}, [el('td', { text: String(j + 1) }), ...cols.map((c) => valueCell(tl[c][j], c))]));
  values.replaceChildren(head, ...rows);
  values.dataset.layer = String(l);
}

function unitName(trace, layer, index) {
  if (layer < 0) return ['x₁', 'x₂'][index] ?? `x${index + 1}`;
  return layer === trace.layers.length - 1 ? 'ŷ' : `h${layer + 1}.${index + 1}`;
}

/** How many paths lead from a unit of `layer` to the output of a network laid out as `layers`. */
function countPaths(layers, layer) {
  let n = 1;
  for (let l = layer + 1; l < layers.length; l++) n *= layers[l].n_out;
  return n;
}

/** Every path from unit `to` of `layer` to the output: the product of W and f′ along it (none listed past 64). */
function paths(trace, run, layer, to) {
  const L = trace.layers.length;
  const params = run.params();
  const layout = run.layout().layers;
  let list = [{ factors: [], value: 1, unit: to, layer }];
  for (let l = layer; l < L - 1; l++) {
    const next = [];
    for (const p of list) {
      const fp = trace.layers[l].f_prime[p.unit];
      for (let k = 0; k < layout[l + 1].n_out; k++) {
        const w = params[layout[l + 1].w + p.unit * layout[l + 1].n_out + k];
        next.push({ factors: [...p.factors, ['f′', fp], ['w', w]], value: p.value * fp * w, unit: k });
      }
    }
    list = next;
    if (list.length > 64) return { count: countPaths(layout, layer), list: null };
  }
  const delta = trace.layers[L - 1].delta;
  return { count: list.length, list: list.map((p) => ({ ...p, factors: [...p.factors, ['δ', delta[p.unit]]], value: p.value * delta[p.unit] })) };
}

/**
 * The chain rule for `weight` on training point `point`: the sum over its
 * paths, the backprop gradient and a centred difference, side by side.
 * Returns the nodes to show and the backprop gradient.
 */
function chainItems(trace, run, point, weight, tr) {
  const w = run.params()[weight.index];
  const input = weight.layer === 0 ? trace.input[weight.from] : trace.layers[weight.layer - 1].a[weight.from];
  const { count, list } = paths(trace, run, weight.layer, weight.to);
  const items = [el('p', { text: tr('chainWeight', { from: unitName(trace, weight.layer - 1, weight.from), to: unitName(trace, weight.layer, weight.to), w: num(w) }) })];
  let sum = 0;
  if (list) {
    items.push(el('p', { class: 'hint', text: tr('chainPaths', { n: count }) }));
    const ol = el('ol', { class: 'paths' });
    for (const p of list) {
      const term = input * p.value;
      sum += term;
      ol.append(el('li', { class: 'mono', text: `a = ${num(input)} × ${p.factors.map(([k, v]) => `${k} ${num(v)}`).join(' × ')} = ${num(term)}` })); // formula, not prose
    }
    items.push(ol);
  } else {
    items.push(el('p', { class: 'hint', text: tr('chainTooMany', { n: count }) }));
    sum = NaN;
  }
  const backprop = trace.layers[weight.layer].dw[weight.from * trace.layers[weight.layer].a.length + weight.to];
  const h = 1e-6;
  const fd = (run.sampleLoss(point, weight.index, w + h) - run.sampleLoss(point, weight.index, w - h)) / (2 * h);
  const table = el('table', { class: 'reach', id: 'walk-chain-table' });
  for (const [key, v, id] of [['chainSum', sum, 'sum'], ['chainBackprop', backprop, 'backprop'], ['chainFd', fd, 'fd']]) {
    table.append(el('tr', {}, [el('th', { text: tr(key) }), valueCell(v, id)]));
  }
  items.push(table);
  return { items, backprop };
}

/** What the optimizer's next step does to `weight` (gradient `weight.gradient`), worked out in words. */
function updateText(run, s, weight, tr) {
  const w = run.params()[weight.index];
  const g = weight.gradient ?? 0;
  const lr = run.lr;
  const st = run.optimizerState(weight.index);
  if (st.kind === 'sgd') return tr('updateGd', { w: num(w), lr: num(lr), g: num(g), next: num(w - lr * g) });
  if (st.kind === 'momentum' || st.kind === 'nesterov') {
    const v = s.momentum * st.s1 + g;
    return tr('updateMomentum', { mu: s.momentum, v: num(st.s1), g: num(g), vnext: num(v), next: num(w - lr * v) });
  }
  if (st.kind === 'rmsprop') {
    const sv = s.alpha * st.s2 + (1 - s.alpha) * g * g;
    return tr('updateRmsprop', { snext: num(sv), next: num(w - (lr * g) / (Math.sqrt(sv) + s.eps)) });
  }
  if (st.kind === 'adam') {
    const step = st.step + 1;
    const mm = s.beta1 * st.s1 + (1 - s.beta1) * g;
    const vv = s.beta2 * st.s2 + (1 - s.beta2) * g * g;
    const mh = mm / (1 - s.beta1 ** step);
    const vh = vv / (1 - s.beta2 ** step);
    return tr('updateAdam', { t: step, m: num(mm), v: num(vv), next: num(w - (lr * mh) / (Math.sqrt(vh) + s.eps)) });
  }
  return tr('updateOther');
}

/**
 * The mean of the per-sample gradients of `weight` (the first weight when
 * none is chosen) over the training points, beside the full-batch gradient
 * the engine computes: they agree, which is what a batch gradient is.
 */
function batchTable(run, weight, tr) {
  const target = weight ?? { layer: 0, from: 0, to: 0, index: run.layout().layers[0].w };
  const flags = run.testFlags();
  let sum = 0;
  let n = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 0) continue;
    const tl = run.trace(i).layers[target.layer];
    sum += tl.dw[target.from * tl.a.length + target.to];
    n++;
  }
  const full = run.dataGradient()[target.index];
  const table = el('table', { class: 'reach', id: 'walk-batch-table' });
  for (const [text, v, key] of [[tr('batchMean', { n }), sum / n, 'mean'], [tr('batchFull'), full, 'full']]) {
    table.append(el('tr', {}, [el('th', { text }), valueCell(v, key)]));
  }
  return table;
}

/** The training points of `run` (test points are never trained on, so never walked through). */
function trainingPoints(run) {
  const flags = run.testFlags();
  const train = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === 0) train.push(i);
  return train;
}

/** The training point of `run` nearest to (x, y), or -1 when there is none. */
function nearestTrainingPoint(run, x, y) {
  const pts = run.points();
  let best = -1;
  let bestD = Infinity;
  for (const i of trainingPoints(run)) {
    const d = (pts[2 * i] - x) ** 2 + (pts[2 * i + 1] - y) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  }
  return best;
}

/** The panel's nodes, each fixed label carrying its message key, so a language switch rewrites it. */
function buildPanel(panel, tr) {
  const label = (tag, key, props = {}) => labelled(tr, tag, key, props);
  const n = {
    langEn: el('button', { type: 'button', id: 'walk-lang-en', text: 'English' }),
    langZh: el('button', { type: 'button', id: 'walk-lang-zh', text: '中文' }),
    random: label('button', 'random', { type: 'button', id: 'walk-random' }),
    prev: label('button', 'prev', { type: 'button', id: 'walk-prev' }),
    next: label('button', 'next', { type: 'button', id: 'walk-next', class: 'primary' }),
    stageName: el('strong', { id: 'walk-stage-name' }),
    pointText: el('p', { id: 'walk-point', class: 'hint' }),
    canvas: el('canvas', { width: 900, height: 400, id: 'walk-stage' }),
    formula: el('div', { id: 'walk-formula', class: 'formula' }),
    explain: el('p', { id: 'walk-explain' }),
    values: el('table', { id: 'walk-values', class: 'reach' }),
    chain: el('div', { id: 'walk-chain' }),
    update: el('div', { id: 'walk-update' }),
    apply: label('button', 'apply', { type: 'button', id: 'walk-apply' }),
    applied: el('p', { id: 'walk-applied', class: 'hint' }),
    batchButton: label('button', 'batchButton', { type: 'button', id: 'walk-batch' }),
    batch: el('div', { id: 'walk-batch-result' }),
  };
  n.canvas.setAttribute('aria-label', tr('walkCanvas'));
  n.canvas.dataset.i18nAria = 'walkCanvas';
  panel.append(
    label('h2', 'title'),
    el('div', { class: 'field', role: 'group', 'aria-label': tr('language'), 'data-i18n-aria': 'language' }, [label('span', 'language'), n.langEn, n.langZh]),
    label('p', 'intro', { class: 'hint' }),
    el('div', { class: 'buttons' }, [n.random, n.prev, n.next, n.stageName]),
    n.pointText,
    el('div', { class: 'walk-grid' }, [n.canvas, el('div', {}, [n.formula, n.explain])]),
    n.values,
    label('h3', 'chainTitle'),
    n.chain,
    label('h3', 'updateTitle'),
    n.update,
    n.apply,
    n.applied,
    label('h3', 'batchTitle'),
    label('p', 'batchText', { class: 'hint' }),
    n.batchButton,
    n.batch,
  );
  return n;
}

export function mountWalkthrough(panel, ctx) {
  const { lang, tr } = ctx;
  const { langEn, langZh, random, prev, next, stageName, pointText, canvas, formula, explain, values, chain, update, apply, applied, batchButton, batch } = buildPanel(panel, tr);

  let point = null; // index into points
  let stageIndex = 0;
  let weight = null; // { layer, from, to, index }
  let trace = null;
  let links = [];
  let lastKey = '';

  function choose(i) {
    point = i;
    stageIndex = 0;
    weight = null;
    applied.textContent = '';
    batch.replaceChildren();
    refresh();
  }

  function refresh() {
    const pg = ctx.run();
    if (point === null || point >= pg.len()) {
      point = null;
      pointText.textContent = tr('noPoint');
      for (const b of [prev, next, apply, batchButton]) b.disabled = true;
      return draw();
    }
    try {
      trace = pg.trace(point);
    } catch {
      trace = null;
      pointText.textContent = tr('needsNoBn');
      for (const b of [prev, next, apply, batchButton]) b.disabled = true;
      return draw();
    }
    const pts = pg.points();
    const test = pg.testFlags()[point] === 1;
    pointText.textContent = tr('point', { i: point, x: num(pts[2 * point]), y: num(pts[2 * point + 1]), label: trace.label, split: tr(test ? 'test' : 'train') });
    const list = stages(trace.layers.length);
    stageIndex = Math.max(0, Math.min(stageIndex, list.length - 1));
    prev.disabled = stageIndex === 0;
    next.disabled = stageIndex === list.length - 1;
    apply.disabled = false;
    batchButton.disabled = false;
    panel.dataset.stage = `${list[stageIndex].kind}:${list[stageIndex].layer ?? ''}`;
    panel.dataset.point = String(point);
    draw();
  }

  function draw() {
    relabel(panel, tr);
    langEn.setAttribute('aria-pressed', String(lang() === 'en'));
    langZh.setAttribute('aria-pressed', String(lang() === 'zh'));
    panel.lang = lang() === 'zh' ? 'zh-CN' : 'en';
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
    if (!trace) {
      stageName.textContent = '';
      formula.replaceChildren();
      explain.textContent = '';
      values.replaceChildren();
      chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
      update.replaceChildren();
      return;
    }
    const L = trace.layers.length;
    const stage = stages(L)[stageIndex];
    stageName.textContent =
      stage.kind === 'forward' ? tr('stageForward', { l: stage.layer + 1, n: L })
        : stage.kind === 'backward' ? tr('stageBackward', { l: stage.layer + 1, n: L })
          : tr(stage.kind === 'loss' ? 'stageLoss' : 'stageUpdate');
    formula.replaceChildren(...formulaFor(stage, L));
    explain.textContent = explainText(stage, trace, ctx.run(), tr);
    links = drawStage(canvas, stage, trace, weight, ctx.run());
    drawValues(values, stage, trace, tr);
    if (weight) {
      const { items, backprop } = chainItems(trace, ctx.run(), point, weight, tr);
      chain.replaceChildren(...items);
      weight.gradient = backprop;
      update.replaceChildren(el('p', { class: 'mono', id: 'walk-update-text', text: updateText(ctx.run(), ctx.settings(), weight, tr) }));
    } else {
      chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
      update.replaceChildren();
    }
  }

  random.addEventListener('click', () => {
    const train = trainingPoints(ctx.run());
    if (train.length) choose(train[Math.floor(Math.random() * train.length)]);
  });
  prev.addEventListener('click', () => { stageIndex--; refresh(); });
  next.addEventListener('click', () => { stageIndex++; refresh(); });
  langEn.addEventListener('click', () => { ctx.change('lang', 'en'); refresh(); });
  langZh.addEventListener('click', () => { ctx.change('lang', 'zh'); refresh(); });
  canvas.addEventListener('click', (e) => {
    if (!trace) return;
    const { x, y } = canvasPoint(canvas, e);
    const best = nearestSegment(links, x, y, 8);
    if (best) {
      weight = best;
      panel.dataset.weight = String(best.index);
      draw();
    }
  });
  apply.addEventListener('click', () => {
    const before = ctx.run().sampleLoss(point);
    const after = ctx.stepOnSample(point);
    applied.textContent = tr('applied', { before: num(before), after: num(after) });
    applied.dataset.before = String(before);
    applied.dataset.after = String(after);
    refresh();
  });
  batchButton.addEventListener('click', () => batch.replaceChildren(batchTable(ctx.run(), weight, tr)));

  function follow(force) {
    const pg = ctx.run();
    // Without a point nothing here depends on training: only the language matters.
    const key = point === null ? ctx.lang() : `${pg.epoch}:${pg.steps}:${ctx.lang()}`;
    if (force || key !== lastKey) {
      lastKey = key;
      refresh();
    }
  }

  return {
    update: follow,
    /** While open, follows its point through training (a key compare per frame). */
    frame(now, visible) {
      if (visible) follow(false);
    },
    freshRun() {
      point = null;
      weight = null;
      trace = null;
      lastKey = '';
    },
    /** A click on the main plot picks the nearest training point. */
    pick(x, y) {
      const best = nearestTrainingPoint(ctx.run(), x, y);
      if (best >= 0) choose(best);
      return best >= 0;
    },
    key(e) {
      if (point === null) return false;
      if (e.key === 'ArrowRight' && !next.disabled) { stageIndex++; refresh(); return true; }
      if (e.key === 'ArrowLeft' && !prev.disabled) { stageIndex--; refresh(); return true; }
      return false;
    },
  };
}
