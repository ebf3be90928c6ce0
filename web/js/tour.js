// Guided tours: data that walks a learner through the live playground. Each
// step may set URL keys, open a teaching view, and wait for a condition
// before Next unlocks. Tours are plain objects (JSON-safe unless an author
// passes a function as a condition), so authors can write their own and start
// one with `handle.startTour(tour)`.
//
// A tour: { id, title, steps: [step…] }. A step:
//   title, text     a message key, or { en, zh }, or plain text
//   set             URL keys to apply on entering, e.g. { optimizer: 'adam', lr: 0.001 }
//   reset           true: a fresh run on entering (after `set`)
//   view            a teaching tab to open: walk, race, lab, network, hidden, timeline
//   until           what must hold before Next unlocks (none: unlocked at once):
//                     { metric: 'epoch' | 'test_acc' | 'train_acc' | 'train_loss' | 'race_epoch', atLeast | atMost: number }
//                     { setting: key, equals | notEquals: value }
//                     { selector: css }   an element matching it exists in the playground
//                     (state) => boolean  (from JS only)
import { el } from './dom.js';
import { labelled, pct, STRINGS } from './i18n.js';

const step = (n, extra) => ({ title: `tour${n}Title`, text: `tour${n}Text`, ...extra });

/** The seed tutorial, section by section. */
const TUTORIAL = {
  id: 'tutorial',
  title: 'tourTitle',
  steps: [
    step(1, {
      set: {
        dataset: 'tutorial', standardize: true, layers: [10, 8], activation: 'relu', init: 'he_normal', bn: false,
        optimizer: 'sgd', lr: 0.1, batch: 0, schedule: 'constant', reg: 'none', clip: 'off', max_epochs: 1000, target_acc: 0, speed: 5,
      },
      reset: true,
    }),
    step(2, { view: 'network' }),
    step(3, { view: 'walk', until: { metric: 'test_acc', atLeast: 0.95 } }),
    step(4, { until: { metric: 'epoch', atLeast: 1000 } }),
    step(5, {}),
    step(6, { view: 'race', until: { metric: 'race_epoch', atLeast: 50 } }),
    step(7, { until: { selector: '#export-code-box[data-kind="pytorch"]' } }),
    step(8, { view: 'lab', until: { selector: '#view-lab[data-gradcheck]' } }),
    step(9, { view: 'lab', set: { clip: 'norm', clip_at: 1, lr: 2, max_epochs: 300 }, reset: true, until: { metric: 'epoch', atLeast: 100 } }),
    step(10, { view: 'lab', set: { clip: 'off', lr: 0.1 }, until: { setting: 'schedule', notEquals: 'constant' } }),
    step(11, { view: 'lab', until: { setting: 'bn', equals: true } }),
    step(12, { view: 'lab', set: { bn: false }, until: { setting: 'init', equals: 'zeros' } }),
    step(13, {}),
  ],
};

export const TOURS = { tutorial: TUTORIAL };

/** Text for `t`: a message key, `{ en, zh }`, or plain text. */
function say(t, lang, tr, params) {
  if (t === undefined || t === null) return '';
  if (typeof t === 'object') return String(t[lang] ?? t.en ?? '');
  return Object.hasOwn(STRINGS.en, t) ? tr(t, params) : String(t);
}

/** Checks a tour before it runs: every problem names the step and the field. */
export function validateTour(tour) {
  const problems = [];
  if (!tour || typeof tour !== 'object' || !Array.isArray(tour.steps) || tour.steps.length === 0) {
    return ['a tour needs a non-empty steps array'];
  }
  tour.steps.forEach((s, i) => {
    const u = s.until;
    if (u === undefined || typeof u === 'function') return;
    const ok = (u.metric && ['epoch', 'test_acc', 'train_acc', 'train_loss', 'race_epoch'].includes(u.metric) && (Number.isFinite(u.atLeast) || Number.isFinite(u.atMost)))
      || (typeof u.setting === 'string' && ('equals' in u || 'notEquals' in u))
      || typeof u.selector === 'string';
    if (!ok) problems.push(`steps[${i}].until: ${JSON.stringify(u).slice(0, 80)} is not a known condition`);
  });
  return problems;
}

/**
 * Shows `tour` in `slot` and drives it; `onClose` runs when the learner
 * closes it. Returns `{ update(), close(), index() }`; `update()` runs every
 * frame and re-checks the step's condition.
 */
export function mountTour(slot, ctx, tour, onClose) {
  const problems = validateTour(tour);
  if (problems.length) throw new Error(`tour: ${problems.join('; ')}`);
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  let index = 0;
  let met = false;
  const heading = el('h2', { id: 'tour-title' });
  const text = el('p', { id: 'tour-text' });
  const status = el('p', { id: 'tour-status', class: 'waiting', 'aria-live': 'polite' });
  const back = L('button', 'prev', { type: 'button', id: 'tour-back' });
  const next = L('button', 'next', { type: 'button', id: 'tour-next', class: 'primary' });
  const close = L('button', 'tourClose', { type: 'button', id: 'tour-close' });
  const counter = el('span', { id: 'tour-counter', class: 'hint' });
  const box = el('section', { class: 'tour', id: 'tour', 'aria-labelledby': 'tour-title' }, [
    heading, text, status, el('div', { class: 'buttons' }, [back, next, counter, close]),
  ]);
  slot.replaceChildren(box);

  function value(metric) {
    const pg = ctx.run();
    if (metric === 'epoch') return pg.epoch;
    if (metric === 'race_epoch') return Number(ctx.find('view-race')?.dataset.epoch ?? 0);
    const e = pg.lastEpoch();
    return e ? e[metric] : null;
  }

  /** `[holds, words]` for the current step's condition. */
  function check() {
    const u = tour.steps[index].until;
    if (u === undefined) return [true, ''];
    if (typeof u === 'function') {
      let holds = false;
      try { holds = !!u(ctx); } catch { holds = false; }
      return [holds, ''];
    }
    if (u.metric) {
      const v = value(u.metric);
      const shown = v === null || v === undefined ? '–' : /acc/.test(u.metric) ? pct(ctx.lang(), v) : String(Number(v.toPrecision(4)));
      const goal = Number.isFinite(u.atLeast) ? u.atLeast : u.atMost;
      const goalShown = /acc/.test(u.metric) ? pct(ctx.lang(), goal) : String(goal);
      const holds = v !== null && v !== undefined && (Number.isFinite(u.atLeast) ? v >= u.atLeast : v <= u.atMost);
      if (holds && !met) box.dataset.metValue = String(v); // what it was when the step was done
      return [holds, tr('tourMetric', { what: tr(`metric_${u.metric}`), op: Number.isFinite(u.atLeast) ? '≥' : '≤', goal: goalShown, now: shown })];
    }
    if (u.setting) {
      const v = ctx.settings()[u.setting];
      const holds = 'equals' in u ? v === u.equals : v !== u.notEquals;
      return [holds, ''];
    }
    return [!!ctx.find('tour-slot')?.getRootNode().querySelector(u.selector), ''];
  }

  function enter(i) {
    index = Math.max(0, Math.min(tour.steps.length - 1, i));
    const s = tour.steps[index];
    if (s.set) ctx.applySettings(s.set);
    if (s.reset) ctx.reset();
    if (s.view) ctx.showView(s.view);
    box.dataset.step = String(index);
    delete box.dataset.metValue;
    met = false;
    update();
  }

  let shown = '';

  /** Runs every frame: checks the condition, and touches the DOM only when what it shows changed. */
  function update() {
    const s = tour.steps[index];
    const lang = ctx.lang();
    const [holds, words] = check();
    met = met || holds; // once met, a step stays done
    const key = `${lang}|${index}|${met}|${words}`;
    if (key === shown) return;
    shown = key;
    heading.textContent = `${say(tour.title, lang, tr)} · ${say(s.title, lang, tr)}`;
    text.textContent = say(s.text, lang, tr);
    counter.textContent = tr('tourCounter', { i: index + 1, n: tour.steps.length });
    next.disabled = !met || index === tour.steps.length - 1;
    back.disabled = index === 0;
    box.dataset.met = String(met);
    status.className = met ? 'met' : 'waiting';
    status.textContent = s.until === undefined ? '' : met ? tr('tourMet') : words || tr('tourWaiting');
  }

  back.addEventListener('click', () => enter(index - 1));
  next.addEventListener('click', () => { if (met) enter(index + 1); });
  function dismiss() {
    slot.replaceChildren();
    onClose?.();
  }
  close.addEventListener('click', dismiss);
  enter(0);
  return { update, close: dismiss, index: () => index };
}
