// One playground: its settings, its run, its animation loop and its DOM.
// `mount(element, options)` builds one inside `element`; any number can live
// on a page, each with its own state (nothing here is module-global except
// the wasm module itself). The page (main.js), the custom element
// (element.js) and authors' pages all go through `mount`.
//
// The parts live in their own modules: the state (state.js), the run's API,
// the one way anything changes the run (runapi.js), the frame loop
// (loop.js) and the DOM and its layout (layout.js). This module wires them
// together: the controls, plot, charts, views, exports and tour, the page's
// listeners, and the handle.
import { bindings } from './wasm.js';
import { decodeHash, defaults, encodeHash, readSettings, useEngine } from './settings.js';
import { mountControls } from './controls.js';
import { mountPlot } from './plot.js';
import { mountChart } from './chart.js';
import { mountViews } from './views.js';
import { mountExports } from './exports.js';
import { mountTour, TOURS } from './tour.js';
import { applyLayout, attachStyles, buildSkeleton, finder, openRoot } from './layout.js';
import { createNotices, createState, emitter, redraw } from './state.js';
import { createRunApi } from './runapi.js';
import { drawThumbnails, startLoop } from './loop.js';
import { browserLang, loadAllLangs, loadLang, relabel, STRINGS, t } from './i18n.js';

/** The link follows the settings (only for the playground that owns the URL hash). */
function writeHash(p) {
  if (!p.hash) return;
  const h = encodeHash(p.state.settings);
  history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search);
}

/**
 * Says which values the controls cannot show (again only when the set of
 * such keys changes, not at each step of a control); the run and the link keep them.
 */
function reportUnshown(p) {
  if (!p.ui) return;
  const { state, tr } = p;
  const list = p.ui.controls.unshown(state.settings);
  const keys = JSON.stringify(list.map((u) => u.key));
  if (keys === state.unshown) return;
  state.unshown = keys;
  if (list.length) p.notice(tr('controlsCannotShow', { list: list.map((u) => tr('ctlOffers', u)).join('; ') }), 'info', true);
}

/** Shows and hides the header and panels for `embed` and the `*_hide` keys. */
function layOut(p) {
  if (!p.ui) return;
  applyLayout(p.ui.container, p.find, p.state.settings);
  p.state.dirty = true;
}

/** Rewrites every labelled text for the current language; dynamic text follows on the next frame. */
function relabelUi(p) {
  const { ui, tr } = p;
  if (!STRINGS[p.lang()]) {
    // The language's messages come first (they load on demand); until then the page stays as it is.
    loadLang(p.lang()).then(() => relabelUi(p), (e) => p.notice(e.message, 'warn'));
    return;
  }
  ui.container.lang = p.lang() === 'zh' ? 'zh-CN' : 'en';
  relabel(ui.container, tr);
  p.find('lang').value = p.state.settings.lang;
  ui.controls.relabel();
  ui.lossChart.setLabels({ yLabel: tr('lossAxis'), epochWord: tr('epochWord') });
  ui.accChart.setLabels({ yLabel: tr('accAxis'), epochWord: tr('epochWord') });
  ui.views.relabel();
  ui.diagnosis?.relabel();
  ui.tour?.update();
  redraw(p.state, true);
}

/** The page's reactions once settings were applied (`changed`: the keys whose value moved). */
function settled(p, changed) {
  reportUnshown(p);
  if (changed.includes('lang')) relabelUi(p);
  if (changed.some((k) => k === 'embed' || k.endsWith('_hide'))) layOut(p);
  if (changed.includes('autoplay') && p.state.settings.autoplay) p.api.play();
  if (changed.includes('tour') && p.state.settings.tour) startTour(p, p.state.settings.tour);
}

/** Starts `tour` (a name in TOURS, or a tour object), closing any open one. */
function startTour(p, tour) {
  const spec = typeof tour === 'string' ? TOURS[tour] : tour;
  if (!spec) throw new Error(`unknown tour “${String(tour).slice(0, 40)}”; known: ${Object.keys(TOURS).join(', ')}`);
  p.ui.tour?.close();
  p.ui.tour = mountTour(p.find('tour-slot'), p.ctx, spec, () => {
    p.ui.tour = null;
    p.state.settings.tour = '';
    writeHash(p);
  });
  p.state.settings.tour = typeof tour === 'string' ? tour : '';
  writeHash(p);
}

/** Copies the link to the clipboard, or shows it selected where the clipboard is refused. */
async function copyLink(p) {
  const url = new URL(location.href);
  url.hash = encodeHash(p.state.settings);
  try {
    await navigator.clipboard.writeText(url.href);
    p.notice(p.tr('linkCopied'));
  } catch {
    const field = p.find('link-field');
    field.hidden = false;
    field.value = url.href;
    field.select();
    p.notice(p.tr('copyLinkManually'));
  }
}

/** Space plays or pauses, → steps an epoch, r resets; the open view sees each key first. */
function keyboard(p, e) {
  const target = e.composedPath()[0];
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
  if (p.ui.views.key(e)) {
    e.preventDefault();
    return;
  }
  if (e.key === ' ') {
    e.preventDefault();
    p.api.action('toggle');
  } else if (e.key === 'ArrowRight') {
    e.preventDefault();
    p.api.action('step-epoch');
  } else if (e.key === 'r' && !e.ctrlKey && !e.metaKey && !e.altKey) {
    p.api.action('reset');
  }
}

/**
 * What the views, the exports and the tour get: the run's API (the only way
 * they change the run, with `run()` to read it) and the page's state, to read.
 */
function viewContext(p) {
  const { api, state, find } = p;
  return {
    wasm: p.wasm,
    lang: p.lang,
    tr: p.tr,
    notice: p.notice,
    find,
    run: api.run,
    settings: () => state.settings,
    bounds: () => state.bounds,
    change: api.change,
    applySettings: api.applySettings,
    reset: api.reset,
    setParam: api.setParam,
    stepOnSample: api.stepOnSample,
    importModel: api.importModel,
    importCsvFile: (file) => importCsvFile(p, file),
    newDiagnosis: api.newDiagnosis,
    play: api.play,
    newLandscape: api.newLandscape,
    gradientLine: api.gradientLine,
    jumpTo: api.jumpTo,
    showSnapshot: (snap) => { state.snapshot = snap; state.dirty = true; },
    shownSnapshot: () => state.snapshot,
    showView: (id) => p.ui.views.select(id),
    redrawPlot: () => { state.dirty = true; },
    plotCanvas: () => find('plot'),
    chartCanvases: () => [find('loss-chart'), find('acc-chart')],
  };
}

/** The largest CSV of points the engine reads (`io::csv::MAX_CSV_BYTES`). */
const MAX_CSV_BYTES = 8 * 1024 * 1024;

/** Imports a CSV file of points (picked, or dropped on the plot); a refusal is a notice naming line and column. */
async function importCsvFile(p, file) {
  if (file.size > MAX_CSV_BYTES) {
    p.notice(p.tr('csvTooBig', { name: file.name }), 'warn', true);
    return;
  }
  const text = await file.text();
  try {
    const run = p.api.importCsv(text);
    p.notice(p.tr('csvImported', { n: run.len() }));
  } catch (e) {
    p.notice(p.tr('importFailed', { why: e.message }), 'warn', true);
  }
}

/** Dropping a CSV file on the plot imports its points. */
function acceptDrops(p, plot) {
  plot.addEventListener('dragover', (e) => { e.preventDefault(); });
  plot.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (file) importCsvFile(p, file);
  });
}

/** Builds the DOM around the live run, once: the skeleton, then each part in its slot. */
function buildUi(p) {
  const { api, state, find, tr } = p;
  const { container, logLoss } = buildSkeleton(p.root, { tr, lang: p.lang(), language: state.settings.lang }, {
    language: (value) => api.change('lang', value),
    copyLink: () => copyLink(p),
    startTour: () => startTour(p, 'tutorial'),
    restart: () => api.action('reset'),
  });
  const ui = { container };
  p.ui = ui;
  p.ctx = viewContext(p);
  ui.controls = mountControls(find('controls'), { change: api.change, apply: api.applySettings, action: api.action }, tr);
  find('run-slot').append(ui.controls.runPanel);
  ui.plot = mountPlot(find('plot'), {
    hover: (at) => { state.hover = at; state.dirty = true; },
    // A click draws on a hand-drawn dataset; on any other it is the open view's (the walk-through picks a point).
    pick: (x, y, how) => {
      if (state.settings.dataset === 'custom') api.drawPoint(x, y, how);
      else if (ui.views.pick(x, y)) state.dirty = true;
    },
  });
  acceptDrops(p, find('plot'));
  ui.lossChart = mountChart(find('loss-chart'), { yLabel: tr('lossAxis'), log: false, readout: find('chart-readout'), epochWord: tr('epochWord') });
  ui.accChart = mountChart(find('acc-chart'), { yLabel: tr('accAxis'), yMin: 0, yMax: 1, readout: find('chart-readout'), epochWord: tr('epochWord') });
  logLoss.addEventListener('change', () => ui.lossChart.setLog(logLoss.checked));
  ui.exports = mountExports(find('export-slot'), p.ctx);
  ui.views = mountViews(find('panel-views'), p.ctx);
  // The Diagnosis panel: loaded after the first frame, like the views; hidden until a detector fires.
  ui.diagnosisLoaded = import('./diagnosis.js').then((m) => { ui.diagnosis = m.mountDiagnosis(find('diagnosis-slot'), p.ctx); });
  layOut(p);
}

/** Listens to the keyboard, the colour scheme, the URL hash and visibility; returns the way to stop. */
function listen(p) {
  const { state, api } = p;
  const keyTarget = p.hash ? document : p.ui.container;
  const onKey = (e) => keyboard(p, e);
  keyTarget.addEventListener('keydown', onKey);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const onScheme = () => { drawThumbnails(p); redraw(state, true); };
  scheme.addEventListener('change', onScheme);
  const onHash = () => {
    const next = decodeHash(location.hash, p.tr);
    if (encodeHash(next.settings) === encodeHash(state.settings)) return;
    const langBefore = state.settings.lang;
    state.settings = next.settings;
    if (next.problems.length) p.notice(p.tr('badLinkLater', { list: next.problems.join('; ') }), 'warn', true);
    api.reset();
    if (state.settings.lang !== langBefore) relabelUi(p);
    else layOut(p);
    reportUnshown(p);
  };
  if (p.hash) window.addEventListener('hashchange', onHash);
  const visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) state.visible = entry.isIntersecting;
  });
  visibility.observe(p.host);
  return () => {
    keyTarget.removeEventListener('keydown', onKey);
    scheme.removeEventListener('change', onScheme);
    if (p.hash) window.removeEventListener('hashchange', onHash);
    visibility.disconnect();
  };
}

/** Gives `handle` its methods (see `mount`); `stopListening` ends the page's listeners. */
function equip(p, handle, problems, stopListening) {
  const { state, api } = p;
  return Object.assign(handle, {
    problems,
    /** Starts training (no-op when the run has diverged or has no data). */
    play: api.play,
    pause: api.pause,
    /** Trains `n` epochs now (default 1) and pauses. */
    step: (n = 1) => api.stepEpochs(n),
    reset() { api.reset(); },
    /** The settings (URL keys), the epoch, whether it plays, and the last epoch's figures. */
    getState() {
      const e = state.pg.lastEpoch();
      return { ...structuredClone(state.settings), epoch: state.pg.epoch, playing: state.playing, status: state.pg.status().state, last: e ?? null };
    },
    /** Applies URL keys; returns the problems (empty when every key was used). */
    setState: (partial) => api.applySettings(partial),
    startTour(tour) { startTour(p, tour); },
    run: () => state.pg,
    destroy() {
      state.alive = false;
      stopListening();
      p.ui.container.remove();
      api.free();
    },
  });
}

/**
 * Mounts a playground in `host` and resolves with its handle.
 *
 * `options` takes the URL keys (`dataset`, `layers`, `optimizer`, `lr`,
 * `autoplay`, `embed`, `*_hide`, … as numbers, booleans, strings or arrays)
 * plus:
 * - `shadow` (default true): build inside a Shadow DOM, so styles and ids are
 *   isolated from the host page and from other playgrounds;
 * - `hash` (default false): read the settings from and write them to
 *   `location.hash` (the stand-alone page does this; embeds should not);
 * - `tour`: a tour name (`'tutorial'`) or a tour object (see tour.js).
 *
 * The handle is an `EventTarget` firing `epoch` (once per frame in which the
 * epoch changed; `detail` is the epoch record), `diverged` (`detail` is the
 * status) and `stopped` (`detail`: `{ reason, epoch, test_acc }`, `reason`
 * being `max_epochs` or `target_acc`; the run is at exactly that epoch), with
 * `play()`, `pause()`, `step(n)`, `reset()`, `getState()`,
 * `setState(partial)`, `startTour(tour)`, `run()` (the live wasm
 * `Playground`) and `destroy()`. Options and link keys take exactly what the
 * engine accepts (its settings table), even where a control offers less;
 * values that cannot be used are reported, by key and value, on the page and
 * in `handle.problems`, and fall back to defaults; the others are kept.
 */
export async function mount(host, options = {}) {
  const { shadow = true, hash = false, tour: tourOption = null, ...keys } = options;
  // The reader's language loads beside the engine (English is always there).
  const firstLang = loadLang(browserLang());
  const wasm = await bindings;
  await firstLang;
  // The load's phases, read by `cargo xtask bench-load --waterfall` (first-boundary is in loop.js).
  if (hash) performance.mark('engine-ready');
  useEngine(wasm);
  const handle = new EventTarget();
  const root = openRoot(host, shadow);
  const find = finder(root);

  // The link's and the options' problems are worded in the browser's language (the page's is not known yet).
  const early = (key, params) => t(browserLang(), key, params);
  const { settings: initial, problems } = readSettings(hash ? location.hash : '', keys, early);
  const state = createState(initial);
  const lang = () => (state.settings.lang || browserLang());
  const tr = (key, params) => t(lang(), key, params);
  await loadLang(lang());
  const { notice, banner } = createNotices(find, tr);
  // The playground's parts, handed to the module-level functions above and to the loop.
  const p = { host, root, find, hash, wasm, state, lang, tr, notice, emit: emitter(handle), ui: null, ctx: null };
  p.api = createRunApi({
    wasm,
    state,
    lang,
    tr,
    notice,
    banner,
    emit: p.emit,
    writeHash: () => writeHash(p),
    on: {
      fresh: () => p.ui?.views.freshRun(),
      changed: () => p.ui?.views.invalidate(),
      settled: (changed) => settled(p, changed),
    },
  });

  // Styles first: the thumbnails and charts read colours from them when drawn.
  if (shadow) await attachStyles(root);
  if (!p.api.reset()) {
    state.settings = defaults();
    p.api.reset();
  }
  if (hash) performance.mark('run-ready');
  buildUi(p);
  if (hash) performance.mark('ui-built');
  if (problems.length) notice(tr('badLink', { list: problems.join('; ') }), 'warn', true);
  reportUnshown(p);
  writeHash(p);
  const stopListening = listen(p);

  const tourName = tourOption ?? (state.settings.tour || null);
  if (tourName) {
    try {
      startTour(p, tourName);
    } catch (e) {
      notice(e.message, 'warn', true);
      problems.push(e.message);
    }
  }
  if (state.settings.autoplay) p.api.play();
  startLoop(p);
  equip(p, handle, problems, stopListening);
  // The teaching views' modules load after the first frame; ready means all of it.
  await p.ui.views.loaded;
  await p.ui.diagnosisLoaded;
  await p.ui.exports.loaded;
  await loadAllLangs();
  host.dataset.ready = 'true';
  return handle;
}
