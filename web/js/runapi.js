// The run's API: the one way the page and its views change the live run.
//
// Everything that trains the run, edits it or replaces it goes through the
// object `createRunApi` returns: set a weight, step on one sample, play,
// step, reset, draw or remove a point, apply settings, import a model. Each
// call keeps the page's promises: training passes the stop conditions and
// says when it stopped or diverged, a change asks for a redraw and tells the
// views, and the link follows the settings. Views read the run through
// `run()`, which offers only the methods that change nothing it trains on
// (a source test holds every module but this one to that).
import { applyChanges, engineSettings, needsReset, settingsFromConfig } from './settings.js';
import { boundsOf } from './plot.js';
import { redraw } from './state.js';
import { pct } from './i18n.js';

/**
 * The run's methods a reader may call: figures, views of its buffers, and
 * the drawing and inspection calls that fill scratch buffers the run keeps
 * for them (`grid`, `neuronGrids`, `layerOutputs`) without touching its
 * parameters, data, optimizer state or counters.
 */
const READS = [
  'batchIndices', 'config', 'confusion', 'dataGradient', 'exportCsv', 'exportModel', 'gradCheck', 'grads',
  'grid', 'gridAt', 'gridProbs', 'gridRgba', 'health', 'history', 'historyLength', 'initialParams', 'isEmpty', 'labels',
  'lastEpoch', 'lastStep', 'layerOutputs', 'layout', 'len', 'lossAfterStep', 'lrCurve', 'nClasses', 'neuronGridInputs', 'neuronGridValues',
  'neuronGrids', 'optimizerState', 'params', 'points', 'runningStats', 'sampleLoss', 'seed', 'shuffleStream', 'snapshot',
  'status', 'stopReached', 'testFlags', 'trace',
  // Regression: the values, whether the points are a curve, and its prediction.
  'curve', 'hasValues', 'isCurve', 'values',
];
/** The run's counters, read as properties. */
const COUNTERS = ['epoch', 'steps', 'lr'];

/** The most epochs one `stepEpochs` call trains (the handle's `step(n)` is clamped to it). */
const MAX_STEP_EPOCHS = 100000;

/** The region a hand-drawn dataset starts in (it has no points to fit a window to). */
const CUSTOM_BOUNDS = { xMin: -2, xMax: 2, yMin: -2, yMax: 2 };

/** A frozen object offering `pg`'s reading methods and counters, and nothing else. */
function readOnly(pg) {
  const reader = {};
  for (const name of READS) reader[name] = (...args) => pg[name](...args);
  for (const name of COUNTERS) Object.defineProperty(reader, name, { get: () => pg[name], enumerable: true });
  return Object.freeze(reader);
}

/** Makes `pg` the live run, freeing the one it replaces. */
function install(r, pg) {
  r.state.pg?.free();
  r.state.pg = pg;
  r.reader = readOnly(pg);
}

/** The view follows a run that starts afresh (a new one, or the same handle restarted). */
function freshRun(r) {
  const { state } = r;
  const pg = state.pg;
  // A curve is drawn at (x, value); hand-drawn data starts in a fixed window until it has points.
  const values = pg.isCurve() ? pg.values() : null;
  state.bounds = state.settings.dataset === 'custom' && pg.isEmpty() ? { ...CUSTOM_BOUNDS } : boundsOf(pg.points(), values);
  state.drawnEpoch = -1;
  state.snapshot = null;
  r.on.fresh();
  r.banner.hide();
  state.dirty = true;
}

/** Something the views show changed without a step: redraw it all. */
function changed(r) {
  redraw(r.state, true);
  r.on.changed();
}

/** A fresh run from the settings; on error keeps the previous run, says why and returns false. */
function reset(r) {
  let pg;
  try {
    pg = r.wasm.Playground.fromSettings(engineSettings(r.state.settings));
  } catch (e) {
    r.notice(r.tr('cannotUse', { why: e.message }), 'warn', true);
    return false;
  }
  install(r, pg);
  freshRun(r);
  return true;
}

/**
 * Makes `pg` (an imported run) the live run; its settings are read back
 * from its config, so the link describes the run (and says what it cannot
 * hold). The view shows it as it is, without retraining.
 */
function adopt(r, pg) {
  const { state } = r;
  const { settings, unexpressed } = settingsFromConfig(pg.config(), state.settings);
  // An imported CSV replaces the points within the live handle.
  if (state.pg !== pg) install(r, pg);
  state.playing = false;
  state.settings = settings;
  freshRun(r);
  r.writeHash();
  if (unexpressed.length) r.notice(r.tr('importUnexpressed', { list: unexpressed.join(', ') }), 'warn', true);
  r.on.settled([]);
}

/**
 * Applies URL keys (JS values or text) together: the engine checks its
 * keys once and either updates the run live or starts it afresh. Returns
 * the problems, each naming the key and the value; keys with problems keep
 * their value.
 */
function applySettings(r, partial) {
  const { state, tr } = r;
  let fresh = false;
  const check = (changes) => {
    const result = state.pg.applySettings(changes, engineSettings(state.settings));
    fresh = result.fresh;
    return result;
  };
  const { problems, changed: keys } = applyChanges(state.settings, partial, check, tr);
  if (fresh) {
    freshRun(r);
    const cause = keys.find(needsReset);
    if (state.lastAnnounced !== cause) r.notice(tr('restarted'));
    state.lastAnnounced = cause;
  }
  if (problems.length) r.notice(problems.join('; '), 'warn');
  if (keys.length) r.on.changed();
  r.writeHash();
  state.dirty = true;
  r.on.settled(keys);
  return problems;
}

/**
 * The stop conditions as the engine takes them: the epoch to stop at, and
 * the target test accuracy as a fraction (0: no such stop). Every way of
 * training passes them, and the engine stops at exactly that epoch.
 */
function stopArgs(r) {
  return [r.state.settings.max_epochs, r.state.settings.target_acc / 100];
}

/** True, and says so, when the run is at a stop condition: play and the steps train nothing there. */
function atStop(r) {
  const stop = r.state.pg.stopReached(...stopArgs(r));
  if (!stop) return false;
  if (stop.reason === 'max_epochs') r.notice(r.tr('atMaxEpochs', { n: stop.epoch }));
  else r.notice(r.tr('atTarget', { acc: pct(r.lang(), stop.test_acc), epoch: stop.epoch }));
  return true;
}

/**
 * After a call that trained (`stepsBefore` is the run's step count before
 * it): pauses on divergence, at the step limit or at a stop condition, and
 * says so. A call that reached the stop fires `stopped`; one that found the
 * run already there trained nothing and only says so.
 */
function afterSteps(r, stepsBefore) {
  const { state, tr } = r;
  const pg = state.pg;
  const status = pg.status();
  if (status.state === 'diverged') {
    if (state.playing || !r.banner.shown()) r.emit('diverged', status);
    state.playing = false;
    r.banner.show(tr('divergedText', { epoch: status.epoch, why: tr(`diverged_${status.what}`) }));
  } else if (status.state === 'no_data') {
    state.playing = false;
  } else if (status.state === 'step_limit') {
    if (state.playing) r.notice(tr('stepLimit', { n: status.step }));
    state.playing = false;
  }
  if (pg.steps === stepsBefore) {
    if (status.state === 'ready' && atStop(r)) state.playing = false;
  } else {
    const stop = pg.stopReached(...stopArgs(r));
    if (stop) {
      state.playing = false;
      if (stop.reason === 'max_epochs') r.notice(tr('stoppedAfter', { n: stop.epoch }));
      else r.notice(tr('reached', { acc: pct(r.lang(), stop.test_acc), epoch: stop.epoch }));
      r.emit('stopped', stop);
    }
  }
  state.dirty = true;
}

/** Pauses and trains `n` epochs (`unit` 'epoch') or batches (`unit` 'batch') now. */
function step(r, unit, n) {
  const pg = r.state.pg;
  r.state.playing = false;
  const before = pg.steps;
  if (unit === 'batch') pg.stepBatches(n, ...stopArgs(r));
  else pg.stepEpochs(n, ...stopArgs(r));
  afterSteps(r, before);
}

/** While playing, trains for about `ms` milliseconds of this frame at the chosen speed. */
function trainFor(r, ms) {
  const { state } = r;
  if (!state.playing) return;
  const speed = state.settings.speed;
  const before = state.pg.steps;
  state.pg.stepFor(ms, speed > 0 ? speed : undefined, ...stopArgs(r));
  afterSteps(r, before);
}

/** Starts training, unless the run is not ready or already at a stop (which it says). */
function play(r) {
  const { state } = r;
  if (state.pg.status().state !== 'ready' || atStop(r)) return;
  state.playing = true;
  state.snapshot = null; // resume from the present
  state.dirty = true;
}

function pause(r) {
  r.state.playing = false;
  r.state.dirty = true;
}

/** A fresh run from a new random seed (below one million); the link keeps the seed. */
function newSeed(r) {
  r.state.settings.seed = Math.floor(Math.random() * 1e6);
  r.writeHash();
  reset(r);
}

/**
 * A click on a hand-drawn dataset's plot: adds a point of the chosen class
 * (the other with `other`), or with `remove` takes away the nearest one.
 */
function drawPoint(r, x, y, { remove = false, other = false } = {}) {
  const pg = r.state.pg;
  if (remove) {
    pg.removeNearest(x, y);
  } else {
    const label = other ? 1 - r.state.drawClass : r.state.drawClass;
    // Every fifth drawn point is held out for testing.
    const test = pg.len() % 5 === 4;
    try {
      // A curve's click is (x, value); a 2-D value is -1 or 1, by the class chosen.
      if (pg.isCurve()) pg.addValue(x, 0, y, test);
      else if (pg.hasValues()) pg.addValue(x, y, label === 0 ? -1 : 1, test);
      else pg.addPoint(x, y, label, test);
    } catch (e) {
      r.notice(e.message, 'warn');
    }
  }
  changed(r);
}

/** The controls' and keys' actions by name: toggle, step-epoch, step-batch, reset, new-seed, draw-class-0/1. */
function action(r, name) {
  if (name === 'toggle') {
    if (r.state.playing) pause(r);
    else play(r);
  } else if (name === 'step-epoch') step(r, 'epoch', 1);
  else if (name === 'step-batch') step(r, 'batch', 1);
  else if (name === 'reset') reset(r);
  else if (name === 'new-seed') newSeed(r);
  else if (name.startsWith('draw-class-')) r.state.drawClass = Number(name.slice(-1));
  r.state.dirty = true;
}

/**
 * The API over the run in `page.state.pg`. `page` gives what a change needs:
 * `wasm`, `state`, `tr` and `lang`, `notice`, `banner`, `emit` (the handle's
 * events), `writeHash()`, and the page's reactions `on.fresh()` (a run
 * started afresh), `on.changed()` (something the views show changed without
 * a step) and `on.settled(changed)` (settings were applied; `changed` lists
 * the keys whose value moved).
 */
export function createRunApi(page) {
  const r = { ...page, reader: null }; // `reader`: `readOnly(state.pg)`, made again when the run is replaced
  return {
    /** The live run, to read: its figures, buffers and drawings, never a method that changes it. */
    run: () => r.reader,
    /** A fresh run from the settings; false (and a notice) when the engine refuses them. */
    reset: () => reset(r),
    /** Applies URL keys together; returns the problems (empty when every key was used). */
    applySettings: (partial) => applySettings(r, partial),
    /** Applies one setting (a control's change); returns a problem text or null. */
    change: (key, value) => applySettings(r, { [key]: value })[0] ?? null,
    play: () => play(r),
    pause: () => pause(r),
    /** Pauses and trains `n` whole epochs (clamped to 0…100,000; default 1), stopping where the stops say. */
    stepEpochs(n = 1) {
      const count = Math.max(0, Math.min(MAX_STEP_EPOCHS, Math.floor(Number(n)) || 0));
      if (count > 0) step(r, 'epoch', count);
      else pause(r);
    },
    trainFor: (ms) => trainFor(r, ms),
    /** Sets parameter `index` (a weight or bias, flat as in `layout()`); throws the engine's message for a value it refuses. */
    setParam(index, value) {
      r.state.pg.setParam(index, value);
      changed(r);
    },
    /** One plain gradient-descent step on training point `point` alone; returns its loss after the step. */
    stepOnSample(point) {
      const loss = r.state.pg.stepOnSample(point);
      changed(r);
      return loss;
    },
    drawPoint: (x, y, how) => drawPoint(r, x, y, how),
    /**
     * The engine's diagnosis of the live run (`wasm.Diagnosis`), each call
     * passed the run: it reads the run and changes nothing.
     */
    newDiagnosis() {
      const d = new r.wasm.Diagnosis(r.state.pg);
      return {
        observe: () => d.observe(r.state.pg),
        findings: () => d.findings(r.state.pg),
        reach: () => d.reach(),
        curedConfig: (finding, cure) => d.curedConfig(r.state.pg, finding, cure),
        free: () => d.free(),
      };
    },
    /** A loss landscape of the live run (`wasm.Landscape`): it reads the run and changes nothing. */
    newLandscape: () => r.wasm.Landscape.ofRun(r.state.pg),
    /**
     * The loss along the gradient at `land`'s centre (`points` points) and
     * where the live run's optimizer, at its learning rate, steps next. The
     * binding needs the run itself, not its reader; it changes nothing.
     */
    gradientLine: (land, points) => land.gradientLine(r.state.pg, points),
    /** Sets the live weights to the point (a, b) of `land`'s plane (the landscape's "jump here"). */
    jumpTo(land, a, b) {
      land.jumpRun(r.state.pg, a, b);
      changed(r);
    },
    /** Replaces the run with the model in `text` (JSON) and returns the new run to read; throws the engine's message when it cannot. */
    importModel(text) {
      adopt(r, r.wasm.Playground.importModel(text));
      return r.reader;
    },
    /**
     * Replaces the points with CSV `text` (they become the `custom` data
     * set and a fresh run trains on them); throws the engine's message,
     * naming the line and column, and then changes nothing.
     */
    importCsv(text) {
      r.state.pg.importCsv(text);
      adopt(r, r.state.pg);
      return r.reader;
    },
    action: (name) => action(r, name),
    /** Frees the run (the playground is destroyed). */
    free() {
      r.state.pg.free();
      r.state.pg = null;
      r.reader = null;
    },
  };
}
