// Backprop, explained live: one training point, stepped through forward,
// the loss, backward and the update with the live network's own numbers,
// in English or 简体中文, with the formulas in MathML.
import { canvasPoint, el, nearestSegment } from './dom.js';
import { labelled, relabel } from './i18n.js';
import { activeColumn, drawPicture, nodeAt } from './walk/picture.js';
import { nodeFormula } from './walk/formula.js';
import { drawCode } from './walk/code.js';
import { questionFor, unitName as inputOrUnit } from './walk/questions.js';

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

const TWEEN_MS = 900; // the update's before/after tween on the picture
const FLOW_MS = 700; // δ flowing back along a backward step's links
const NARROW_PX = 560; // CSS width under which the picture is drawn for a phone
const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * The walk-through in `panel`. Its parts below share one state object `v`:
 * the context, the panel and its elements (`v.ui`), the point followed and
 * the step shown, and what the picture is animating.
 */
export function mountWalkthrough(panel, ctx) {
  const v = {
    ctx,
    tr: ctx.tr,
    lang: ctx.lang,
    panel,
    ui: buildPanel(panel, ctx.tr),
    point: null, // index into points
    suggested: null, // the point the first screen offers, before one is chosen
    stageIndex: 0,
    weight: null, // { layer, from, to, index }
    trace: null,
    links: [],
    nodes: [],
    hovered: null, // the node under the pointer
    lit: null, // the link of a hovered formula term
    lastKey: '',
    // Predict, then reveal: answers per stage for this point, and the page's running score.
    answers: new Map(),
    tally: { right: 0, asked: 0 },
    // The update's before/after, tweened on the picture: { from, to, start } over `params` indices.
    tween: null,
    // δ flowing back: dots run along the step's links from the output side, { start }.
    flow: null,
    playing: null, // Play's interval while it walks the steps on its own
    animation: 0, // the pending animation frame
  };
  listen(v);
  return {
    update: (force) => follow(v, force),
    /** While open, follows its point through training (a key compare per frame). */
    frame(now, visible) {
      if (visible) follow(v, false);
    },
    freshRun() {
      v.point = null;
      v.weight = null;
      v.trace = null;
      v.lastKey = '';
    },
    /** The point the main plot rings: the one followed, or the one the first screen offers. */
    marked: () => v.point ?? v.suggested,
    /** A click on the main plot picks the nearest training point. */
    pick: (x, y) => pick(v, x, y),
    key: (e) => onKey(v, e),
  };
}

/** Builds the panel's elements once and returns them by name. */
function buildPanel(panel, tr) {
  // Every fixed label carries its message key, so a language switch rewrites it.
  const label = (tag, key, props = {}) => labelled(tr, tag, key, props);
  const ui = {
    langEn: el('button', { type: 'button', id: 'walk-lang-en', text: 'English' }),
    langZh: el('button', { type: 'button', id: 'walk-lang-zh', text: '中文' }),
    random: label('button', 'random', { type: 'button', id: 'walk-random' }),
    prev: label('button', 'prev', { type: 'button', id: 'walk-prev' }),
    next: label('button', 'next', { type: 'button', id: 'walk-next', class: 'primary' }),
    play: el('button', { type: 'button', id: 'walk-play' }),
    predict: el('input', { type: 'checkbox', id: 'walk-predict' }),
    predictLabel: el('label', { for: 'walk-predict', id: 'walk-predict-label' }),
    score: el('span', { id: 'walk-score', class: 'hint' }),
    stageName: el('strong', { id: 'walk-stage-name' }),
    pointText: el('p', { id: 'walk-point', class: 'hint' }),
    canvas: el('canvas', { width: 900, height: 400, id: 'walk-stage' }),
    hover: el('div', { id: 'walk-hover', class: 'formula-live', 'aria-live': 'polite' }),
    question: el('div', { id: 'walk-question', class: 'question' }),
    formula: el('div', { id: 'walk-formula', class: 'formula' }),
    explain: el('p', { id: 'walk-explain' }),
    code: el('div', { id: 'walk-code' }),
    values: el('table', { id: 'walk-values', class: 'reach' }),
    chain: el('div', { id: 'walk-chain' }),
    update: el('div', { id: 'walk-update' }),
    apply: label('button', 'apply', { type: 'button', id: 'walk-apply' }),
    applied: el('p', { id: 'walk-applied', class: 'hint' }),
    moved: el('div', { id: 'walk-moved' }),
    batchButton: label('button', 'batchButton', { type: 'button', id: 'walk-batch' }),
    batch: el('div', { id: 'walk-batch-result' }),
  };
  ui.canvas.setAttribute('aria-label', tr('walkCanvas'));
  ui.canvas.dataset.i18nAria = 'walkCanvas';
  panel.append(
    label('h2', 'title'),
    el('div', { class: 'field', role: 'group', 'aria-label': tr('language'), 'data-i18n-aria': 'language' }, [label('span', 'language'), ui.langEn, ui.langZh]),
    label('p', 'intro', { class: 'hint' }),
    el('div', { class: 'buttons' }, [ui.random, ui.prev, ui.next, ui.play, ui.stageName]),
    el('div', { class: 'buttons' }, [ui.predict, ui.predictLabel, ui.score]),
    ui.pointText,
    el('div', { class: 'walk-grid' }, [
      el('div', {}, [ui.canvas, ui.hover]),
      el('div', {}, [ui.question, el('div', { id: 'walk-reveal' }, [ui.formula, ui.explain, ui.code])]),
    ]),
    ui.values,
    label('h3', 'chainTitle'),
    ui.chain,
    label('h3', 'updateTitle'),
    ui.update,
    ui.apply,
    ui.applied,
    ui.moved,
    label('h3', 'batchTitle'),
    label('p', 'batchText', { class: 'hint' }),
    ui.batchButton,
    ui.batch,
  );
  return ui;
}

/** The buttons, the picture's pointer, the formula's terms and the language switch. */
function listen(v) {
  const { ui, ctx } = v;
  ui.random.addEventListener('click', () => chooseRandom(v));
  ui.prev.addEventListener('click', () => moveStage(v, -1));
  ui.next.addEventListener('click', () => moveStage(v, 1));
  ui.play.addEventListener('click', () => togglePlay(v));
  ui.predict.addEventListener('change', () => draw(v));
  ui.canvas.addEventListener('mousemove', (e) => hoverAt(v, e));
  // A formula's term lights up the link (and nodes) it comes from.
  ui.hover.addEventListener('mouseover', (e) => {
    const t = e.target.closest('.term');
    v.lit = t ? { layer: Number(t.dataset.layer), from: Number(t.dataset.from), to: Number(t.dataset.to) } : null;
    if (v.trace && v.point !== null) drawPictureNow(v, stages(v.trace.layers.length)[v.stageIndex], -1);
  });
  ui.hover.addEventListener('mouseleave', () => {
    v.lit = null;
    if (v.trace && v.point !== null) drawPictureNow(v, stages(v.trace.layers.length)[v.stageIndex], -1);
  });
  ui.langEn.addEventListener('click', () => { ctx.change('lang', 'en'); refresh(v); });
  ui.langZh.addEventListener('click', () => { ctx.change('lang', 'zh'); refresh(v); });
  ui.canvas.addEventListener('click', (e) => clickAt(v, e));
  ui.apply.addEventListener('click', () => applyStep(v));
  ui.batchButton.addEventListener('click', () => drawBatch(v));
}

function stages(L) {
  const list = [];
  for (let l = 0; l < L; l++) list.push({ kind: 'forward', layer: l });
  list.push({ kind: 'loss' });
  for (let l = L - 1; l >= 0; l--) list.push({ kind: 'backward', layer: l });
  list.push({ kind: 'update' });
  return list;
}

const stageKey = (s) => `${s.kind}:${s.layer ?? ''}`;

/** Follows training point `i` from its first step. */
function choose(v, i) {
  v.point = i;
  v.stageIndex = 0;
  v.weight = null;
  v.hovered = null;
  v.answers.clear();
  v.tween = null;
  v.ui.applied.textContent = '';
  v.ui.moved.replaceChildren();
  v.ui.batch.replaceChildren();
  refresh(v);
}

function chooseRandom(v) {
  const flags = v.ctx.run().testFlags();
  const train = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === 0) train.push(i);
  if (train.length) choose(v, train[Math.floor(Math.random() * train.length)]);
}

/** The first training point: what the first screen offers to follow. */
function firstTrainingPoint(pg) {
  const flags = pg.testFlags();
  const i = flags.indexOf(0);
  return i >= 0 ? i : null;
}

/** Traces the point again (or the one the first screen offers), sets the buttons and draws. */
function refresh(v) {
  const { ui, panel, tr } = v;
  const pg = v.ctx.run();
  v.ctx.redrawPlot(); // its ring follows the point shown here
  if (v.point === null || v.point >= pg.len()) {
    v.point = null;
    v.trace = null;
    v.suggested = firstTrainingPoint(pg);
    try {
      v.trace = v.suggested === null ? null : pg.trace(v.suggested);
    } catch {
      v.suggested = null;
    }
    ui.pointText.textContent = v.suggested === null ? tr('noPoint') : tr('walkInvite');
    for (const b of [ui.prev, ui.apply, ui.batchButton, ui.play]) b.disabled = true;
    ui.next.disabled = v.suggested === null;
    delete panel.dataset.stage;
    return draw(v);
  }
  try {
    v.trace = pg.trace(v.point);
  } catch {
    v.trace = null;
    ui.pointText.textContent = tr('needsNoBn');
    for (const b of [ui.prev, ui.next, ui.apply, ui.batchButton, ui.play]) b.disabled = true;
    return draw(v);
  }
  const { point, trace } = v;
  const pts = pg.points();
  const test = pg.testFlags()[point] === 1;
  ui.pointText.textContent = tr('point', { i: point, x: num(pts[2 * point]), y: num(pts[2 * point + 1]), label: trace.label, split: tr(test ? 'test' : 'train') });
  const list = stages(trace.layers.length);
  v.stageIndex = Math.max(0, Math.min(v.stageIndex, list.length - 1));
  ui.prev.disabled = v.stageIndex === 0;
  ui.next.disabled = v.stageIndex === list.length - 1;
  ui.play.disabled = false;
  ui.apply.disabled = false;
  ui.batchButton.disabled = false;
  panel.dataset.stage = stageKey(list[v.stageIndex]);
  panel.dataset.point = String(point);
  draw(v);
}

/** The question about `stage`, from the live network and point. */
function makeQuestion(v, stage) {
  const pg = v.ctx.run();
  const facts = {
    trace: v.trace,
    layout: pg.layout(),
    params: Float64Array.from(pg.params()), // a copy: lossAfterStep below may grow memory and detach a view
    output: pg.layout().output,
    lr: pg.lr,
    lossBefore: v.trace.loss,
    lossAfter: stage.kind === 'update' ? pg.lossAfterStep(v.point) : NaN,
  };
  return questionFor(stage, facts, v.lang());
}

/** The score, and the stage's question with its answer once given; returns the question while it waits. */
function drawQuestion(v, stage) {
  const { ui, tr, tally } = v;
  ui.score.hidden = !ui.predict.checked;
  ui.score.textContent = tr('walkScore', tally);
  ui.score.dataset.right = String(tally.right);
  ui.score.dataset.asked = String(tally.asked);
  const done = v.answers.get(stageKey(stage));
  const q = ui.predict.checked && v.point !== null ? makeQuestion(v, stage) : null;
  if (!q) {
    ui.question.replaceChildren();
    ui.question.hidden = true;
    return null;
  }
  ui.question.hidden = false;
  ui.question.dataset.template = q.id;
  const choices = el('div', { class: 'choices', role: 'group', 'aria-label': q.prompt });
  for (const [id, text] of q.options) {
    const b = el('button', { type: 'button', text, 'data-choice': id });
    b.disabled = Boolean(done);
    if (done && q.answer.includes(id)) b.classList.add('right');
    if (done && done.choice === id && !done.correct) b.classList.add('wrong');
    b.addEventListener('click', () => {
      const correct = q.answer.includes(id);
      v.answers.set(stageKey(stage), { choice: id, correct });
      tally.asked++;
      if (correct) tally.right++;
      draw(v);
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
  ui.question.replaceChildren(...kids);
  return done ? null : q;
}

function colours(canvas) {
  const css = getComputedStyle(canvas);
  const value = (name) => css.getPropertyValue(name).trim();
  return { fg: value('--fg'), border: value('--border'), accent: value('--accent'), panel: value('--panel') };
}

/** A weight as the picture draws it: tweened between before and after an update. */
function weightAt(v, params, now) {
  const { tween } = v;
  if (!tween) return (i) => params[i];
  const t = Math.min(1, (now - tween.start) / TWEEN_MS);
  return (i) => tween.from[i] + t * (tween.to[i] - tween.from[i]);
}

function drawPictureNow(v, stage, hidden, now = performance.now()) {
  const { canvas } = v.ui;
  const pg = v.ctx.run();
  // A phone gets a taller, narrower drawing, so nodes and their values stay legible when scaled down.
  const [w, h] = canvas.clientWidth > 0 && canvas.clientWidth < NARROW_PX ? [450, 520] : [900, 400];
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const params = pg.params();
  ({ links: v.links, nodes: v.nodes } = drawPicture(canvas, {
    stage,
    trace: v.trace,
    layout: pg.layout(),
    weights: weightAt(v, params, now),
    chosen: v.weight,
    lit: v.lit,
    flow: v.flow ? Math.min(1, (now - v.flow.start) / FLOW_MS) : null,
    hidden,
    colours: colours(canvas),
  }));
  const { lit } = v;
  if (lit) canvas.dataset.lit = `${lit.layer}:${lit.from}:${lit.to}`;
  else delete canvas.dataset.lit;
  canvas.dataset.active = stage.kind === 'update' ? 'all' : String(stage.layer === undefined ? v.trace.layers.length : stage.layer + 1);
}

function drawHover(v, stage, pending) {
  const { hover } = v.ui;
  const { hovered } = v;
  if (!hovered || pending) {
    hover.replaceChildren(el('p', { class: 'hint', text: v.trace && v.point !== null ? v.tr('walkHoverHint') : '' }));
    delete hover.dataset.column;
    return;
  }
  const pg = v.ctx.run();
  const lay = pg.layout();
  hover.replaceChildren(
    ...nodeFormula(hovered, stage, {
      trace: v.trace,
      params: Float64Array.from(pg.params()), // a copy: lossAfterStep below may grow memory and detach a view
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

/** Renders the whole view for the point and step shown. */
function draw(v) {
  const { ui, panel, tr, lang } = v;
  relabel(panel, tr);
  ui.langEn.setAttribute('aria-pressed', String(lang() === 'en'));
  ui.langZh.setAttribute('aria-pressed', String(lang() === 'zh'));
  panel.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  ui.predictLabel.textContent = tr('walkPredict');
  ui.play.textContent = tr('walkPlay');
  if (!v.trace) drawNoTrace(v);
  else if (v.point === null) drawFirstScreen(v);
  else drawStage(v);
}

/** No point to follow (or none the engine can trace): an empty view. */
function drawNoTrace(v) {
  const { ui, tr } = v;
  ui.canvas.getContext('2d').clearRect(0, 0, ui.canvas.width, ui.canvas.height);
  ui.stageName.textContent = '';
  ui.formula.replaceChildren();
  ui.explain.textContent = '';
  ui.code.replaceChildren();
  ui.values.replaceChildren();
  ui.question.hidden = true;
  ui.hover.replaceChildren();
  ui.chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
  ui.update.replaceChildren();
}

/** The first screen: the network and the point Next will follow, its inputs in place. */
function drawFirstScreen(v) {
  const { ui, tr } = v;
  drawPictureNow(v, { kind: 'forward', layer: -1 }, -1);
  ui.stageName.textContent = '';
  for (const box of [ui.formula, ui.code, ui.values, ui.hover]) box.replaceChildren();
  ui.explain.textContent = '';
  ui.question.hidden = true;
  ui.chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
  ui.update.replaceChildren();
}

/** One step of the followed point: its question, picture, formula, code, words and numbers. */
function drawStage(v) {
  const { ui, panel, tr, ctx, trace } = v;
  const L = trace.layers.length;
  const stage = stages(L)[v.stageIndex];
  const pending = drawQuestion(v, stage) !== null;
  panel.dataset.pending = String(pending);
  // While a question waits, the picture keeps the step's new numbers to itself.
  drawPictureNow(v, stage, pending ? activeColumn(stage, L) : -1);
  // The hovered node keeps its place across steps, with the value this step shows.
  const { hovered } = v;
  if (hovered) v.hovered = v.nodes.find((n) => n.column === hovered.column && n.unit === hovered.unit && n.value) ?? null;
  for (const box of [ui.formula, ui.explain, ui.code, ui.values]) box.hidden = pending;
  drawHover(v, stage, pending);
  ui.stageName.textContent =
    stage.kind === 'forward' ? tr('stageForward', { l: stage.layer + 1, n: L })
      : stage.kind === 'backward' ? tr('stageBackward', { l: stage.layer + 1, n: L })
        : tr(stage.kind === 'loss' ? 'stageLoss' : 'stageUpdate');
  ui.formula.replaceChildren(...formulaFor(stage, L));
  drawCode(ui.code, stage, L, (file) => ctx.wasm.Playground.engineSource(file), tr('walkCodeTitle'), (line) => tr('walkCodeMissing', { line }));
  ui.explain.textContent = explanation(v, stage);
  drawValues(v, stage);
  drawChain(v);
  drawUpdate(v);
}

/** The step in words, with the live numbers and the run's output and activation. */
function explanation(v, stage) {
  const { tr, trace } = v;
  const pg = v.ctx.run();
  const L = trace.layers.length;
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
  return tr('updateText', { lr: num(pg.lr) });
}

function drawValues(v, stage) {
  const { ui, tr, trace } = v;
  if (stage.kind === 'update' || stage.kind === 'loss') {
    const out = trace.layers[trace.layers.length - 1];
    ui.values.replaceChildren(
      el('tr', {}, [el('th', { text: 'ŷ' }), el('th', { text: 'y' }), el('th', { text: 'L' }), el('th', { text: 'δ = ŷ − y' })]),
      el('tr', {}, [out.a[0], trace.target[0], trace.loss, out.delta[0]].map((value, k) => {
        const td = el('td', { text: num(value) });
        td.dataset.value = String(value);
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
        const value = tl[c][j];
        const td = el('td', { text: num(value) });
        td.dataset.value = String(value);
        td.dataset.key = c;
        return td;
      }),
    ]),
  );
  ui.values.replaceChildren(head, ...rows);
  ui.values.dataset.layer = String(l);
}

function unitName(v, layer, index) {
  if (layer === v.trace.layers.length - 1) return 'ŷ';
  return inputOrUnit(layer, index, v.trace.layers.length, v.trace.features);
}

/** Every path from unit `to` of `layer` to the output: the product of W and f′ along it. */
function paths(v, layer, to) {
  const { trace } = v;
  const L = trace.layers.length;
  const params = v.ctx.run().params();
  const layout = v.ctx.run().layout().layers;
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

function countPaths(layout, layer) {
  let n = 1;
  for (let l = layer + 1; l < layout.length; l++) n *= layout[l].n_out;
  return n;
}

/** The chosen weight's gradient three ways: summed over its paths, by backprop, by finite differences. */
function drawChain(v) {
  const { ui, tr, trace, weight } = v;
  if (!weight) {
    ui.chain.replaceChildren(el('p', { class: 'hint', text: tr('chainHint') }));
    return;
  }
  const pg = v.ctx.run();
  const w = pg.params()[weight.index];
  const input = weight.layer === 0 ? trace.input[weight.from] : trace.layers[weight.layer - 1].a[weight.from];
  const { count, list } = paths(v, weight.layer, weight.to);
  const items = [el('p', { text: tr('chainWeight', { from: unitName(v, weight.layer - 1, weight.from), to: unitName(v, weight.layer, weight.to), w: num(w) }) })];
  let sum = 0;
  if (list) {
    items.push(el('p', { class: 'hint', text: tr('chainPaths', { n: count }) }));
    const ol = el('ol', { class: 'paths' });
    for (const p of list) {
      const term = input * p.value;
      sum += term;
      ol.append(el('li', { class: 'mono', text: `a = ${num(input)} × ${p.factors.map(([k, f]) => `${k} ${num(f)}`).join(' × ')} = ${num(term)}` })); // formula, not prose
    }
    items.push(ol);
  } else {
    items.push(el('p', { class: 'hint', text: tr('chainTooMany', { n: count }) }));
    sum = NaN;
  }
  const backprop = trace.layers[weight.layer].dw[weight.from * trace.layers[weight.layer].a.length + weight.to];
  const h = 1e-6;
  const fd = (pg.sampleLoss(v.point, weight.index, w + h) - pg.sampleLoss(v.point, weight.index, w - h)) / (2 * h);
  const table = el('table', { class: 'reach', id: 'walk-chain-table' });
  for (const [key, value, id] of [['chainSum', sum, 'sum'], ['chainBackprop', backprop, 'backprop'], ['chainFd', fd, 'fd']]) {
    const td = el('td', { text: num(value) });
    td.dataset.value = String(value);
    td.dataset.key = id;
    table.append(el('tr', {}, [el('th', { text: tr(key) }), td]));
  }
  items.push(table);
  ui.chain.replaceChildren(...items);
  weight.gradient = backprop;
}

/** What the run's optimizer would do to the chosen weight with this point's gradient. */
function drawUpdate(v) {
  const { ui, tr, weight } = v;
  if (!weight) {
    ui.update.replaceChildren();
    return;
  }
  const pg = v.ctx.run();
  const s = v.ctx.settings();
  const w = pg.params()[weight.index];
  const g = weight.gradient ?? 0;
  const lr = pg.lr;
  const st = pg.optimizerState(weight.index);
  let text;
  if (st.kind === 'sgd') text = tr('updateGd', { w: num(w), lr: num(lr), g: num(g), next: num(w - lr * g) });
  else if (st.kind === 'momentum' || st.kind === 'nesterov') {
    const vel = s.momentum * st.s1 + g;
    text = tr('updateMomentum', { mu: s.momentum, v: num(st.s1), g: num(g), vnext: num(vel), next: num(w - lr * vel) });
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
  ui.update.replaceChildren(el('p', { class: 'mono', id: 'walk-update-text', text }));
}

/** Moves `by` stages; backward steps start δ flowing back along the links. */
function moveStage(v, by) {
  if (v.point === null) {
    if (v.suggested !== null && by > 0) choose(v, v.suggested);
    return;
  }
  v.stageIndex += by;
  refresh(v);
  const stage = v.trace && stages(v.trace.layers.length)[v.stageIndex];
  if (stage && stage.kind === 'backward' && !reducedMotion()) {
    v.flow = { start: performance.now() };
    animate(v);
  }
}

/** Play walks the remaining steps on its own, pausing at a question. */
function togglePlay(v) {
  if (v.playing) {
    clearInterval(v.playing);
    v.playing = null;
    return;
  }
  v.playing = setInterval(() => {
    if (v.point === null || v.ui.next.disabled || v.panel.dataset.pending === 'true') {
      clearInterval(v.playing);
      v.playing = null;
      return;
    }
    moveStage(v, 1);
  }, FLOW_MS + 300);
}

/** The pointer over the picture: the node under it shows its formula. */
function hoverAt(v, e) {
  if (!v.trace || v.point === null) return;
  const { x, y } = canvasPoint(v.ui.canvas, e);
  const node = nodeAt(v.nodes, x, y);
  const { hovered } = v;
  const same = node && hovered && node.column === hovered.column && node.unit === hovered.unit;
  if (!same && (node ? node.value : hovered)) {
    v.hovered = node && node.value ? node : null;
    draw(v);
  }
}

/** A click on the picture: a node shows its formula, a link is the weight the chain rule follows. */
function clickAt(v, e) {
  if (!v.trace || v.point === null) return;
  const { x, y } = canvasPoint(v.ui.canvas, e);
  // A tap on a node shows its formula (touch screens have no hover).
  const node = nodeAt(v.nodes, x, y);
  if (node && node.value && v.panel.dataset.pending !== 'true') {
    v.hovered = node;
    draw(v);
    return;
  }
  const best = nearestSegment(v.links, x, y, 8);
  if (best) {
    v.weight = best;
    v.panel.dataset.weight = String(best.index);
    draw(v);
  }
}

/** One gradient-descent step on the point, through the run's API; shows what moved. */
function applyStep(v) {
  const { ui, tr } = v;
  const pg = v.ctx.run();
  const before = pg.sampleLoss(v.point);
  const from = Float64Array.from(pg.params());
  const after = v.ctx.stepOnSample(v.point);
  const to = Float64Array.from(pg.params());
  ui.applied.textContent = tr('applied', { before: num(before), after: num(after) });
  ui.applied.dataset.before = String(before);
  ui.applied.dataset.after = String(after);
  drawMoved(v, from, to);
  // The picture tweens every weight from before to after (at once when motion is reduced).
  v.tween = reducedMotion() ? null : { from, to, start: performance.now() };
  refresh(v);
  animate(v);
}

/** The step's largest move in each layer: the weight before and after, against the engine's numbers. */
function drawMoved(v, from, to) {
  const { tr } = v;
  const table = el('table', { class: 'reach', id: 'walk-moved-table' });
  table.append(el('tr', {}, ['w', tr('walkBefore'), tr('walkAfter')].map((text) => el('th', { text }))));
  const layers = v.ctx.run().layout().layers;
  const L = layers.length;
  layers.forEach((l, li) => {
    let best = l.w;
    for (let i = l.w; i < l.w + l.n_in * l.n_out; i++) if (Math.abs(to[i] - from[i]) > Math.abs(to[best] - from[best])) best = i;
    const k = best - l.w;
    const name = `${unitName(v, li - 1, Math.floor(k / l.n_out))} → ${unitName(v, li, k % l.n_out)}`;
    const row = el('tr', {}, [el('th', { text: name }), el('td', { text: num(from[best]) }), el('td', { text: num(to[best]) })]);
    row.dataset.index = String(best);
    row.dataset.before = String(from[best]);
    row.dataset.after = String(to[best]);
    table.append(row);
  });
  table.dataset.layers = String(L);
  v.ui.moved.replaceChildren(table);
}

/** Redraws the picture each frame while δ flows back or the weights tween. */
function animate(v) {
  cancelAnimationFrame(v.animation);
  const tick = (now) => {
    if (!v.trace || v.point === null) return;
    if (v.tween && now - v.tween.start >= TWEEN_MS) v.tween = null;
    if (v.flow && now - v.flow.start >= FLOW_MS) v.flow = null;
    const stage = stages(v.trace.layers.length)[v.stageIndex];
    drawPictureNow(v, stage, v.panel.dataset.pending === 'true' ? activeColumn(stage, v.trace.layers.length) : -1, now);
    if (v.tween || v.flow) v.animation = requestAnimationFrame(tick);
  };
  v.animation = requestAnimationFrame(tick);
}

/** The chosen weight's gradient averaged over every training point, beside the engine's full-batch one. */
function drawBatch(v) {
  const { tr } = v;
  const pg = v.ctx.run();
  const target = v.weight ?? { layer: 0, from: 0, to: 0, index: pg.layout().layers[0].w };
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
  for (const [text, value, key] of [[tr('batchMean', { n }), sum / n, 'mean'], [tr('batchFull'), full, 'full']]) {
    const td = el('td', { text: num(value) });
    td.dataset.value = String(value);
    td.dataset.key = key;
    table.append(el('tr', {}, [el('th', { text }), td]));
  }
  v.ui.batch.replaceChildren(table);
}

function follow(v, force) {
  const pg = v.ctx.run();
  // The first screen's picture follows training too: its weights are the live ones.
  const shown = `${pg.epoch}:${pg.steps}:${v.ctx.lang()}`;
  if (force || shown !== v.lastKey) {
    v.lastKey = shown;
    refresh(v);
  }
}

/** The training point nearest (x, y), followed from its first step; false when there is none. */
function pick(v, x, y) {
  const pg = v.ctx.run();
  const pts = pg.points();
  const flags = pg.testFlags();
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] !== 0) continue;
    const d = (pts[2 * i] - x) ** 2 + (pts[2 * i + 1] - y) ** 2;
    if (d < bestD) { bestD = d; best = i; }
  }
  if (best >= 0) choose(v, best);
  return best >= 0;
}

/** → and ← step, p plays, while a point is followed; true when the key was used. */
function onKey(v, e) {
  const { ui } = v;
  if (v.point === null) return false;
  if (e.key === 'ArrowRight' && !ui.next.disabled) { moveStage(v, 1); return true; }
  if (e.key === 'ArrowLeft' && !ui.prev.disabled) { moveStage(v, -1); return true; }
  if (e.key === 'p' && !ui.play.disabled) { togglePlay(v); return true; }
  return false;
}
