// Backprop, explained live: one training point, stepped through forward,
// the loss, backward and the update with the live network's own numbers,
// in English or 简体中文, with the formulas in MathML.
import { canvasPoint, el, nearestSegment } from './dom.js';
import { labelled, relabel } from './i18n.js';
import { activeColumn, drawPicture, nodeAt } from './walk/picture.js';
import { nodeFormula } from './walk/formula.js';
import { drawCode } from './walk/code.js';
import { questionFor } from './walk/questions.js';

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

export function mountWalkthrough(panel, ctx) {
  const { lang, tr } = ctx;
  // Every fixed label carries its message key, so a language switch rewrites it.
  const label = (tag, key, props = {}) => labelled(tr, tag, key, props);
  const langEn = el('button', { type: 'button', id: 'walk-lang-en', text: 'English' });
  const langZh = el('button', { type: 'button', id: 'walk-lang-zh', text: '中文' });
  const random = label('button', 'random', { type: 'button', id: 'walk-random' });
  const prev = label('button', 'prev', { type: 'button', id: 'walk-prev' });
  const next = label('button', 'next', { type: 'button', id: 'walk-next', class: 'primary' });
  const play = el('button', { type: 'button', id: 'walk-play' });
  const predict = el('input', { type: 'checkbox', id: 'walk-predict' });
  const predictLabel = el('label', { for: 'walk-predict', id: 'walk-predict-label' });
  const score = el('span', { id: 'walk-score', class: 'hint' });
  const stageName = el('strong', { id: 'walk-stage-name' });
  const pointText = el('p', { id: 'walk-point', class: 'hint' });
  const canvas = el('canvas', { width: 900, height: 400, id: 'walk-stage' });
  canvas.setAttribute('aria-label', tr('walkCanvas'));
  canvas.dataset.i18nAria = 'walkCanvas';
  const hover = el('div', { id: 'walk-hover', class: 'formula-live', 'aria-live': 'polite' });
  const question = el('div', { id: 'walk-question', class: 'question' });
  const formula = el('div', { id: 'walk-formula', class: 'formula' });
  const explain = el('p', { id: 'walk-explain' });
  const code = el('div', { id: 'walk-code' });
  const values = el('table', { id: 'walk-values', class: 'reach' });
  const chain = el('div', { id: 'walk-chain' });
  const update = el('div', { id: 'walk-update' });
  const apply = label('button', 'apply', { type: 'button', id: 'walk-apply' });
  const applied = el('p', { id: 'walk-applied', class: 'hint' });
  const moved = el('div', { id: 'walk-moved' });
  const batchButton = label('button', 'batchButton', { type: 'button', id: 'walk-batch' });
  const batch = el('div', { id: 'walk-batch-result' });
  panel.append(
    label('h2', 'title'),
    el('div', { class: 'field', role: 'group', 'aria-label': tr('language'), 'data-i18n-aria': 'language' }, [label('span', 'language'), langEn, langZh]),
    label('p', 'intro', { class: 'hint' }),
    el('div', { class: 'buttons' }, [random, prev, next, play, stageName]),
    el('div', { class: 'buttons' }, [predict, predictLabel, score]),
    pointText,
    el('div', { class: 'walk-grid' }, [
      el('div', {}, [canvas, hover]),
      el('div', {}, [question, el('div', { id: 'walk-reveal' }, [formula, explain, code])]),
    ]),
    values,
    label('h3', 'chainTitle'),
    chain,
    label('h3', 'updateTitle'),
    update,
    apply,
    applied,
    moved,
    label('h3', 'batchTitle'),
    label('p', 'batchText', { class: 'hint' }),
    batchButton,
    batch,
  );

  let point = null; // index into points
  let suggested = null; // the point the first screen offers, before one is chosen
  let stageIndex = 0;
  let weight = null; // { layer, from, to, index }
  let trace = null;
  let links = [];
  let nodes = [];
  let hovered = null; // the node under the pointer
  let lit = null; // the link of a hovered formula term
  let lastKey = '';
  // Predict, then reveal: answers per stage for this point, and the page's running score.
  const answers = new Map();
  const tally = { right: 0, asked: 0 };
  // The update's before/after, tweened on the picture: { from, to, start } over `params` indices.
  let tween = null;
  const TWEEN_MS = 900;
  // δ flowing back: dots run along the step's links from the output side, { start }.
  let flow = null;
  const FLOW_MS = 700;
  const NARROW_PX = 560; // CSS width under which the picture is drawn for a phone
  const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function stages(L) {
    const list = [];
    for (let l = 0; l < L; l++) list.push({ kind: 'forward', layer: l });
    list.push({ kind: 'loss' });
    for (let l = L - 1; l >= 0; l--) list.push({ kind: 'backward', layer: l });
    list.push({ kind: 'update' });
    return list;
  }

  function choose(i) {
    point = i;
    stageIndex = 0;
    weight = null;
    hovered = null;
    answers.clear();
    tween = null;
    applied.textContent = '';
    moved.replaceChildren();
    batch.replaceChildren();
    refresh();
  }

  /** The first training point: what the first screen offers to follow. */
  function firstTrainingPoint(pg) {
    const flags = pg.testFlags();
    const i = flags.indexOf(0);
    return i >= 0 ? i : null;
  }

  function refresh() {
    const pg = ctx.run();
    if (point === null || point >= pg.len()) {
      point = null;
      trace = null;
      suggested = firstTrainingPoint(pg);
      try {
        trace = suggested === null ? null : pg.trace(suggested);
      } catch {
        suggested = null;
      }
      pointText.textContent = suggested === null ? tr('noPoint') : tr('walkInvite');
      for (const b of [prev, apply, batchButton, play]) b.disabled = true;
      next.disabled = suggested === null;
      delete panel.dataset.stage;
      return draw();
    }
    try {
      trace = pg.trace(point);
    } catch {
      trace = null;
      pointText.textContent = tr('needsNoBn');
      for (const b of [prev, next, apply, batchButton, play]) b.disabled = true;
      return draw();
    }
    const pts = pg.points();
    const test = pg.testFlags()[point] === 1;
    pointText.textContent = tr('point', { i: point, x: num(pts[2 * point]), y: num(pts[2 * point + 1]), label: trace.label, split: tr(test ? 'test' : 'train') });
    const list = stages(trace.layers.length);
    stageIndex = Math.max(0, Math.min(stageIndex, list.length - 1));
    prev.disabled = stageIndex === 0;
    next.disabled = stageIndex === list.length - 1;
    play.disabled = false;
    apply.disabled = false;
    batchButton.disabled = false;
    panel.dataset.stage = stageKey(list[stageIndex]);
    panel.dataset.point = String(point);
    draw();
  }

  const stageKey = (s) => `${s.kind}:${s.layer ?? ''}`;

  /** The current stage's question while it waits for an answer, else null. */
  function pendingQuestion(stage) {
    if (!predict.checked || point === null || answers.has(stageKey(stage))) return null;
    return makeQuestion(stage);
  }

  function makeQuestion(stage) {
    const pg = ctx.run();
    const facts = {
      trace,
      layout: pg.layout(),
      output: pg.layout().output,
      lr: pg.lr,
      lossBefore: trace.loss,
      lossAfter: stage.kind === 'update' ? pg.lossAfterStep(point) : NaN,
    };
    return questionFor(stage, facts, lang());
  }

  function drawQuestion(stage) {
    score.hidden = !predict.checked;
    score.textContent = tr('walkScore', tally);
    score.dataset.right = String(tally.right);
    score.dataset.asked = String(tally.asked);
    const done = answers.get(stageKey(stage));
    const q = predict.checked && point !== null ? makeQuestion(stage) : null;
    if (!q) {
      question.replaceChildren();
      question.hidden = true;
      return null;
    }
    question.hidden = false;
    question.dataset.template = q.id;
    const choices = el('div', { class: 'choices', role: 'group', 'aria-label': q.prompt });
    for (const [id, text] of q.options) {
      const b = el('button', { type: 'button', text, 'data-choice': id });
      b.disabled = Boolean(done);
      if (done && q.answer.includes(id)) b.classList.add('right');
      if (done && done.choice === id && !done.correct) b.classList.add('wrong');
      b.addEventListener('click', () => {
        const correct = q.answer.includes(id);
        answers.set(stageKey(stage), { choice: id, correct });
        tally.asked++;
        if (correct) tally.right++;
        draw();
      });
      choices.append(b);
    }
    const kids = [el('p', { class: 'prompt', text: q.prompt }), choices];
    if (done) {
      const verdict = el('p', { id: 'walk-verdict', class: done.correct ? 'right' : 'wrong' }, [
        el('strong', { text: tr(done.correct ? 'walkRight' : 'walkWrong') }),
        ' ',
        q.explain(done.correct),
      ]);
      verdict.dataset.correct = String(done.correct);
      kids.push(verdict);
    }
    question.replaceChildren(...kids);
    return done ? null : q;
  }

  function colours() {
    const css = getComputedStyle(canvas);
    const v = (name) => css.getPropertyValue(name).trim();
    return { fg: v('--fg'), border: v('--border'), accent: v('--accent'), panel: v('--panel') };
  }

  /** A weight as the picture draws it: tweened between before and after an update. */
  function weightAt(params, now) {
    if (!tween) return (i) => params[i];
    const t = Math.min(1, (now - tween.start) / TWEEN_MS);
    return (i) => tween.from[i] + t * (tween.to[i] - tween.from[i]);
  }

  function drawPictureNow(stage, hidden, now = performance.now()) {
    const pg = ctx.run();
    // A phone gets a taller, narrower drawing, so nodes and their values stay legible when scaled down.
    const [w, h] = canvas.clientWidth > 0 && canvas.clientWidth < NARROW_PX ? [450, 520] : [900, 400];
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const params = pg.params();
    ({ links, nodes } = drawPicture(canvas, {
      stage,
      trace,
      layout: pg.layout(),
      weights: weightAt(params, now),
      chosen: weight,
      lit,
      flow: flow ? Math.min(1, (now - flow.start) / FLOW_MS) : null,
      hidden,
      colours: colours(),
    }));
    if (lit) canvas.dataset.lit = `${lit.layer}:${lit.from}:${lit.to}`;
    else delete canvas.dataset.lit;
    canvas.dataset.active = stage.kind === 'update' ? 'all' : String(stage.layer === undefined ? trace.layers.length : stage.layer + 1);
  }

  function drawHover(stage, pending) {
    if (!hovered || pending) {
      hover.replaceChildren(el('p', { class: 'hint', text: trace && point !== null ? tr('walkHoverHint') : '' }));
      delete hover.dataset.column;
      return;
    }
    const pg = ctx.run();
    const lay = pg.layout();
    hover.replaceChildren(
      ...nodeFormula(hovered, stage, {
        trace,
        params: pg.params(),
        layout: lay,
        output: lay.output,
        activation: (l) => lay.activations[l],
      }),
    );
    hover.dataset.column = String(hovered.column);
    hover.dataset.unit = String(hovered.unit);
    hover.dataset.key = hovered.value.key;
    hover.dataset.value = String(hovered.value.value);
  }

  function draw() {
    relabel(panel, tr);
    langEn.setAttribute('aria-pressed', String(lang() === 'en'));
    langZh.setAttribute('aria-pressed', String(lang() === 'zh'));
    panel.lang = lang() === 'zh' ? 'zh-CN' : 'en';
    predictLabel.textContent = tr('walkPredict');
    play.textContent = tr('walkPlay');
    if (!trace) {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      stageName.textContent = '';
      formula.replaceChildren();
      explain.textContent = '';
      code.replaceChildren();
      values.replaceChildren();
      question.hidden = true;
      hover.replaceChildren();
      chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
      update.replaceChildren();
      return;
    }
    if (point === null) {
      // The first screen: the network and the point Next will follow, its inputs in place.
      drawPictureNow({ kind: 'forward', layer: -1 }, -1);
      stageName.textContent = '';
      for (const box of [formula, code, values, hover]) box.replaceChildren();
      explain.textContent = '';
      question.hidden = true;
      chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
      update.replaceChildren();
      return;
    }
    const L = trace.layers.length;
    const stage = stages(L)[stageIndex];
    const pending = drawQuestion(stage) !== null;
    panel.dataset.pending = String(pending);
    // While a question waits, the picture keeps the step's new numbers to itself.
    drawPictureNow(stage, pending ? activeColumn(stage, L) : -1);
    // The hovered node keeps its place across steps, with the value this step shows.
    if (hovered) hovered = nodes.find((n) => n.column === hovered.column && n.unit === hovered.unit && n.value) ?? null;
    for (const box of [formula, explain, code, values]) box.hidden = pending;
    drawHover(stage, pending);
    stageName.textContent =
      stage.kind === 'forward' ? tr('stageForward', { l: stage.layer + 1, n: L })
        : stage.kind === 'backward' ? tr('stageBackward', { l: stage.layer + 1, n: L })
          : tr(stage.kind === 'loss' ? 'stageLoss' : 'stageUpdate');
    formula.replaceChildren(...formulaFor(stage, L));
    const pg = ctx.run();
    drawCode(code, stage, L, (file) => ctx.wasm.Playground.engineSource(file), tr('walkCodeTitle'), (line) => tr('walkCodeMissing', { line }));
    const out = trace.layers[L - 1];
    const output = pg.layout().output;
    // The true class's probability for softmax; the single output otherwise.
    const cls = output === 'softmax_ce' ? trace.label : 0;
    const yhat = out.a[cls];
    const activation = pg.layout().activations[0] ?? 'relu';
    const lossKey = { sigmoid_bce: 'lossText', softmax_ce: 'lossTextCe', identity_mse: 'lossTextMse' }[output];
    const deltaKey = { sigmoid_bce: 'outputDelta', softmax_ce: 'outputDeltaCe', identity_mse: 'outputDeltaMse' }[output];
    if (stage.kind === 'forward') {
      const outKey = { sigmoid_bce: 'forwardOutput', softmax_ce: 'forwardOutputCe', identity_mse: 'forwardOutputMse' }[output];
      explain.textContent = stage.layer === L - 1 ? tr(outKey, { yhat: num(yhat) }) : tr('forwardText', { l: stage.layer + 1, f: tr(`v_${activation}`) });
    } else if (stage.kind === 'loss') {
      const y = output === 'softmax_ce' ? trace.label : trace.target[0];
      explain.textContent = `${tr(lossKey, { yhat: num(yhat), y, loss: num(trace.loss) })} ${tr(deltaKey, { delta: num(out.delta[0]) })}`;
    } else if (stage.kind === 'backward') {
      const tl = trace.layers[stage.layer];
      const dead = tl.f_prime.filter((d) => d === 0).length;
      explain.textContent = `${stage.layer === L - 1 ? tr(deltaKey, { delta: num(out.delta[0]) }) : tr('backwardText', { l: stage.layer + 1, dead })} ${tr('gradText')}`;
    } else {
      explain.textContent = tr('updateText', { lr: num(pg.lr) });
    }
    drawValues(stage);
    drawChain();
    drawUpdate();
  }

  function drawValues(stage) {
    if (stage.kind === 'update' || stage.kind === 'loss') {
      const out = trace.layers[trace.layers.length - 1];
      values.replaceChildren(
        el('tr', {}, [el('th', { text: 'ŷ' }), el('th', { text: 'y' }), el('th', { text: 'L' }), el('th', { text: 'δ = ŷ − y' })]),
        el('tr', {}, [out.a[0], trace.target[0], trace.loss, out.delta[0]].map((v, k) => {
          const td = el('td', { text: num(v) });
          td.dataset.value = String(v);
          td.dataset.key = ['yhat', 'y', 'loss', 'delta'][k];
          return td;
        })),
      );
      return;
    }
    const l = stage.layer;
    const tl = trace.layers[l];
    const hidden = tl.f_prime.length > 0;
    const cols = stage.kind === 'forward' ? ['z', 'a'] : hidden ? ['f_prime', 'delta', 'db'] : ['delta', 'db'];
    const names = { z: tr('colZ'), a: tr('colA'), f_prime: tr('colDf'), delta: tr('colDelta'), db: tr('colDb') };
    const head = el('tr', {}, [el('th', { text: tr('unit') }), ...cols.map((c) => el('th', { text: names[c] }))]);
    const rows = tl.z.map((_, j) =>
      el('tr', {}, [
        el('td', { text: String(j + 1) }),
        ...cols.map((c) => {
          const v = tl[c][j];
          const td = el('td', { text: num(v) });
          td.dataset.value = String(v);
          td.dataset.key = c;
          return td;
        }),
      ]),
    );
    values.replaceChildren(head, ...rows);
    values.dataset.layer = String(l);
  }

  function unitName(layer, index) {
    if (layer < 0) return ['x₁', 'x₂'][index] ?? `x${index + 1}`;
    return layer === trace.layers.length - 1 ? 'ŷ' : `h${layer + 1}.${index + 1}`;
  }

  /** Every path from unit `to` of `layer` to the output: the product of W and f′ along it. */
  function paths(layer, to) {
    const L = trace.layers.length;
    const params = ctx.run().params();
    const layout = ctx.run().layout().layers;
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
      if (list.length > 64) return { count: countPaths(layer), list: null };
    }
    const delta = trace.layers[L - 1].delta;
    return { count: list.length, list: list.map((p) => ({ ...p, factors: [...p.factors, ['δ', delta[p.unit]]], value: p.value * delta[p.unit] })) };
  }

  function countPaths(layer) {
    const layout = ctx.run().layout().layers;
    let n = 1;
    for (let l = layer + 1; l < layout.length; l++) n *= layout[l].n_out;
    return n;
  }

  function drawChain() {
    if (!weight) {
      chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
      return;
    }
    const pg = ctx.run();
    const w = pg.params()[weight.index];
    const input = weight.layer === 0 ? trace.input[weight.from] : trace.layers[weight.layer - 1].a[weight.from];
    const { count, list } = paths(weight.layer, weight.to);
    const items = [el('p', { text: tr('chainWeight', { from: unitName(weight.layer - 1, weight.from), to: unitName(weight.layer, weight.to), w: num(w) }) })];
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
    const fd = (pg.sampleLoss(point, weight.index, w + h) - pg.sampleLoss(point, weight.index, w - h)) / (2 * h);
    const table = el('table', { class: 'reach', id: 'walk-chain-table' });
    for (const [key, v, id] of [['chainSum', sum, 'sum'], ['chainBackprop', backprop, 'backprop'], ['chainFd', fd, 'fd']]) {
      const td = el('td', { text: num(v) });
      td.dataset.value = String(v);
      td.dataset.key = id;
      table.append(el('tr', {}, [el('th', { text: tr(key) }), td]));
    }
    items.push(table);
    chain.replaceChildren(...items);
    weight.gradient = backprop;
  }

  function drawUpdate() {
    if (!weight) {
      update.replaceChildren();
      return;
    }
    const pg = ctx.run();
    const s = ctx.settings();
    const w = pg.params()[weight.index];
    const g = weight.gradient ?? 0;
    const lr = pg.lr;
    const st = pg.optimizerState(weight.index);
    let text;
    if (st.kind === 'sgd') text = tr('updateGd', { w: num(w), lr: num(lr), g: num(g), next: num(w - lr * g) });
    else if (st.kind === 'momentum' || st.kind === 'nesterov') {
      const v = s.momentum * st.s1 + g;
      text = tr('updateMomentum', { mu: s.momentum, v: num(st.s1), g: num(g), vnext: num(v), next: num(w - lr * v) });
    } else if (st.kind === 'rmsprop') {
      const sv = s.alpha * st.s2 + (1 - s.alpha) * g * g;
      text = tr('updateRmsprop', { snext: num(sv), next: num(w - (lr * g) / (Math.sqrt(sv) + s.eps)) });
    } else if (st.kind === 'adam') {
      const step = st.step + 1;
      const mm = s.beta1 * st.s1 + (1 - s.beta1) * g;
      const vv = s.beta2 * st.s2 + (1 - s.beta2) * g * g;
      const mh = mm / (1 - s.beta1 ** step);
      const vh = vv / (1 - s.beta2 ** step);
      text = tr('updateAdam', { t: step, m: num(mm), v: num(vv), next: num(w - (lr * mh) / (Math.sqrt(vh) + s.eps)) });
    } else text = tr('updateOther');
    update.replaceChildren(el('p', { class: 'mono', id: 'walk-update-text', text }));
  }

  random.addEventListener('click', () => {
    const pg = ctx.run();
    const flags = pg.testFlags();
    const train = [];
    for (let i = 0; i < flags.length; i++) if (flags[i] === 0) train.push(i);
    if (train.length) choose(train[Math.floor(Math.random() * train.length)]);
  });
  /** Moves `by` stages; backward steps start δ flowing back along the links. */
  function step(by) {
    if (point === null) {
      if (suggested !== null && by > 0) choose(suggested);
      return;
    }
    stageIndex += by;
    refresh();
    const stage = trace && stages(trace.layers.length)[stageIndex];
    if (stage && stage.kind === 'backward' && !reducedMotion()) {
      flow = { start: performance.now() };
      animate();
    }
  }
  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  // Play walks the remaining steps on its own, pausing at a question.
  let playing = null;
  function togglePlay() {
    if (playing) {
      clearInterval(playing);
      playing = null;
      return;
    }
    playing = setInterval(() => {
      if (point === null || next.disabled || panel.dataset.pending === 'true') {
        clearInterval(playing);
        playing = null;
        return;
      }
      step(1);
    }, FLOW_MS + 300);
  }
  play.addEventListener('click', togglePlay);
  predict.addEventListener('change', () => draw());
  canvas.addEventListener('mousemove', (e) => {
    if (!trace || point === null) return;
    const { x, y } = canvasPoint(canvas, e);
    const node = nodeAt(nodes, x, y);
    const same = node && hovered && node.column === hovered.column && node.unit === hovered.unit;
    if (!same && (node ? node.value : hovered)) {
      hovered = node && node.value ? node : null;
      draw();
    }
  });
  // A formula's term lights up the link (and nodes) it comes from.
  hover.addEventListener('mouseover', (e) => {
    const t = e.target.closest('.term');
    lit = t ? { layer: Number(t.dataset.layer), from: Number(t.dataset.from), to: Number(t.dataset.to) } : null;
    if (trace && point !== null) drawPictureNow(stages(trace.layers.length)[stageIndex], -1);
  });
  hover.addEventListener('mouseleave', () => {
    lit = null;
    if (trace && point !== null) drawPictureNow(stages(trace.layers.length)[stageIndex], -1);
  });
  langEn.addEventListener('click', () => { ctx.change('lang', 'en'); refresh(); });
  langZh.addEventListener('click', () => { ctx.change('lang', 'zh'); refresh(); });
  canvas.addEventListener('click', (e) => {
    if (!trace || point === null) return;
    const { x, y } = canvasPoint(canvas, e);
    // A tap on a node shows its formula (touch screens have no hover).
    const node = nodeAt(nodes, x, y);
    if (node && node.value && panel.dataset.pending !== 'true') {
      hovered = node;
      draw();
      return;
    }
    const best = nearestSegment(links, x, y, 8);
    if (best) {
      weight = best;
      panel.dataset.weight = String(best.index);
      draw();
    }
  });
  apply.addEventListener('click', () => {
    const pg = ctx.run();
    const before = pg.sampleLoss(point);
    const from = Float64Array.from(pg.params());
    const after = ctx.stepOnSample(point);
    const to = Float64Array.from(pg.params());
    applied.textContent = tr('applied', { before: num(before), after: num(after) });
    applied.dataset.before = String(before);
    applied.dataset.after = String(after);
    drawMoved(from, to);
    // The picture tweens every weight from before to after (at once when motion is reduced).
    tween = reducedMotion() ? null : { from, to, start: performance.now() };
    refresh();
    animate();
  });

  /** The step's largest move in each layer: the weight before and after, against the engine's numbers. */
  function drawMoved(from, to) {
    const table = el('table', { class: 'reach', id: 'walk-moved-table' });
    table.append(el('tr', {}, ['w', tr('walkBefore'), tr('walkAfter')].map((text) => el('th', { text }))));
    const layers = ctx.run().layout().layers;
    const L = layers.length;
    layers.forEach((l, li) => {
      let best = l.w;
      for (let i = l.w; i < l.w + l.n_in * l.n_out; i++) if (Math.abs(to[i] - from[i]) > Math.abs(to[best] - from[best])) best = i;
      const k = best - l.w;
      const name = `${unitName(li - 1, Math.floor(k / l.n_out))} → ${unitName(li, k % l.n_out)}`;
      const row = el('tr', {}, [el('th', { text: name }), el('td', { text: num(from[best]) }), el('td', { text: num(to[best]) })]);
      row.dataset.index = String(best);
      row.dataset.before = String(from[best]);
      row.dataset.after = String(to[best]);
      table.append(row);
    });
    table.dataset.layers = String(L);
    moved.replaceChildren(table);
  }

  /** Redraws the picture each frame while δ flows back or the weights tween. */
  let frame = 0;
  function animate() {
    cancelAnimationFrame(frame);
    const tick = (now) => {
      if (!trace || point === null) return;
      if (tween && now - tween.start >= TWEEN_MS) tween = null;
      if (flow && now - flow.start >= FLOW_MS) flow = null;
      const stage = stages(trace.layers.length)[stageIndex];
      drawPictureNow(stage, panel.dataset.pending === 'true' ? activeColumn(stage, trace.layers.length) : -1, now);
      if (tween || flow) frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
  }

  batchButton.addEventListener('click', () => {
    const pg = ctx.run();
    const target = weight ?? { layer: 0, from: 0, to: 0, index: pg.layout().layers[0].w };
    const flags = pg.testFlags();
    let sum = 0;
    let n = 0;
    for (let i = 0; i < flags.length; i++) {
      if (flags[i] !== 0) continue;
      const tl = pg.trace(i).layers[target.layer];
      sum += tl.dw[target.from * tl.a.length + target.to];
      n++;
    }
    const full = pg.dataGradient()[target.index];
    const table = el('table', { class: 'reach', id: 'walk-batch-table' });
    for (const [text, v, key] of [[tr('batchMean', { n }), sum / n, 'mean'], [tr('batchFull'), full, 'full']]) {
      const td = el('td', { text: num(v) });
      td.dataset.value = String(v);
      td.dataset.key = key;
      table.append(el('tr', {}, [el('th', { text }), td]));
    }
    batch.replaceChildren(table);
  });

  function follow(force) {
    const pg = ctx.run();
    // The first screen's picture follows training too: its weights are the live ones.
    const key = `${pg.epoch}:${pg.steps}:${ctx.lang()}`;
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
      const pg = ctx.run();
      const pts = pg.points();
      const flags = pg.testFlags();
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < flags.length; i++) {
        if (flags[i] !== 0) continue;
        const d = (pts[2 * i] - x) ** 2 + (pts[2 * i + 1] - y) ** 2;
        if (d < bestD) { bestD = d; best = i; }
      }
      if (best >= 0) choose(best);
      return best >= 0;
    },
    key(e) {
      if (point === null) return false;
      if (e.key === 'ArrowRight' && !next.disabled) { step(1); return true; }
      if (e.key === 'ArrowLeft' && !prev.disabled) { step(-1); return true; }
      if (e.key === 'p' && !play.disabled) { togglePlay(); return true; }
      return false;
    },
  };
}
