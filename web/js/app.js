// One playground: its settings, its run, its animation loop and its DOM.
// `mount(element, options)` builds one inside `element`; any number can live
// on a page, each with its own state (nothing here is module-global except
// the wasm module itself). The page (main.js), the custom element
// (element.js) and authors' pages all go through `mount`.
import { bindings } from './wasm.js';
import { applyChanges, decodeHash, defaults, encodeHash, engineSettings, needsReset, readSettings, settingsFromConfig, useEngine } from './settings.js';
import { mountControls } from './controls.js';
import { boundsOf, mountPlot } from './plot.js';
import { fmt, mountChart } from './chart.js';
import { mountViews } from './views.js';
import { mountExports } from './exports.js';
import { mountTour, TOURS } from './tour.js';
import { applyLayout as layOut, attachStyles, buildSkeleton, finder, openRoot } from './layout.js';
import { createNotices, createState, emitter, redraw } from './state.js';
import { browserLang, pct, relabel, t } from './i18n.js';

const GRID = 100; // boundary cells per side; the canvas scales the image up
const FRAME_BUDGET_MS = 10; // training time per animation frame
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

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
  const wasm = await bindings;
  useEngine(wasm);
  const handle = new EventTarget();
  const root = openRoot(host, shadow);
  const find = finder(root);

  // The link's and the options' problems are worded in the browser's language (the page's is not known yet).
  const early = (key, params) => t(browserLang(), key, params);
  const { settings: initial, problems } = readSettings(hash ? location.hash : '', keys, early);
  const state = createState(initial);

  let ui = null; // { container, controls, plot, lossChart, accChart, views, exports, tour }
  const lang = () => (state.settings.lang || browserLang());
  const tr = (key, params) => t(lang(), key, params);
  const { notice, banner } = createNotices(find, tr);
  const emit = emitter(handle);

  function writeHash() {
    if (!hash) return;
    const h = encodeHash(state.settings);
    history.replaceState(null, '', h ? `#${h}` : location.pathname + location.search);
  }

  /** The view follows a run that starts afresh (a new one, or the same handle restarted). */
  function freshRun() {
    state.bounds = state.settings.dataset === 'custom' ? { xMin: -2, xMax: 2, yMin: -2, yMax: 2 } : boundsOf(state.pg.points());
    state.drawnEpoch = -1;
    state.snapshot = null;
    ui?.views.reset();
    banner.hide();
    state.dirty = true;
  }

  /** A fresh run from the settings; on error keeps the previous run and says why. */
  function rebuild() {
    let pg;
    try {
      pg = wasm.Playground.fromSettings(engineSettings(state.settings));
    } catch (e) {
      notice(tr('cannotUse', { why: e.message }), 'warn', true);
      return false;
    }
    state.pg?.free();
    state.pg = pg;
    freshRun();
    return true;
  }

  /**
   * Says which values the controls cannot show (again only when the set of
   * such keys changes, not at each step of a control); the run and the link keep them.
   */
  function reportUnshown() {
    if (!ui) return;
    const list = ui.controls.unshown(state.settings);
    const keys = JSON.stringify(list.map((u) => u.key));
    if (keys === state.unshown) return;
    state.unshown = keys;
    if (list.length) notice(tr('controlsCannotShow', { list: list.map((u) => tr('ctlOffers', u)).join('; ') }), 'info', true);
  }

  /**
   * Makes `pg` (an imported run) this playground's run; its settings are
   * read back from its config, so the link describes the run (and says what
   * it cannot hold). The view shows it as it is, without retraining.
   */
  function adopt(pg) {
    const { settings, unexpressed } = settingsFromConfig(pg.config(), state.settings);
    state.pg?.free();
    state.pg = pg;
    state.playing = false;
    state.settings = settings;
    freshRun();
    writeHash();
    if (unexpressed.length) notice(tr('importUnexpressed', { list: unexpressed.join(', ') }), 'warn', true);
    reportUnshown();
  }

  /**
   * Applies URL keys (JS values or text) together: the engine checks its
   * keys once and either updates the run live or starts it afresh. Returns
   * the problems, each naming the key and the value; keys with problems keep
   * their value.
   */
  function applySettings(partial) {
    let fresh = false;
    const check = (changes) => {
      const result = state.pg.applySettings(changes, engineSettings(state.settings));
      fresh = result.fresh;
      return result;
    };
    const { problems, changed } = applyChanges(state.settings, partial, check, tr);
    if (fresh) {
      freshRun();
      const cause = changed.find(needsReset);
      if (state.lastAnnounced !== cause) notice(tr('restarted'));
      state.lastAnnounced = cause;
    }
    if (problems.length) notice(problems.join('; '), 'warn');
    if (changed.length) ui?.views.invalidate();
    writeHash();
    reportUnshown();
    state.dirty = true;
    if (changed.includes('lang')) relabelUi();
    if (changed.some((k) => k === 'embed' || k.endsWith('_hide'))) applyLayout();
    if (changed.includes('autoplay') && state.settings.autoplay) play();
    if (changed.includes('tour') && state.settings.tour) startTour(state.settings.tour);
    return problems;
  }

  /** Applies one setting (a control's change); returns a problem text or null. */
  function change(key, value) {
    return applySettings({ [key]: value })[0] ?? null;
  }

  function play() {
    if (state.pg.status().state !== 'ready' || atStop()) return;
    state.playing = true;
    state.snapshot = null; // resume from the present
    state.dirty = true;
  }

  function action(name) {
    const pg = state.pg;
    switch (name) {
      case 'toggle':
        if (state.playing) state.playing = false;
        else play();
        break;
      case 'step-epoch':
      case 'step-batch': {
        state.playing = false;
        const before = pg.steps;
        if (name === 'step-epoch') pg.stepEpochs(1, ...stopArgs());
        else pg.stepBatches(1, ...stopArgs());
        afterSteps(before);
        break;
      }
      case 'reset':
        rebuild();
        break;
      case 'new-seed':
        state.settings.seed = Math.floor(Math.random() * 1e6);
        writeHash();
        rebuild();
        break;
      case 'draw-class-0':
      case 'draw-class-1':
        state.drawClass = Number(name.slice(-1));
        break;
    }
    state.dirty = true;
  }

  /**
   * The stop conditions as the engine takes them: the epoch to stop at, and
   * the target test accuracy as a fraction (0: no such stop). Every way of
   * training passes them, and the engine stops at exactly that epoch.
   */
  function stopArgs() {
    return [state.settings.max_epochs, state.settings.target_acc / 100];
  }

  /** True, and says so, when the run is at a stop condition: play and the steps train nothing there. */
  function atStop() {
    const stop = state.pg.stopReached(...stopArgs());
    if (!stop) return false;
    if (stop.reason === 'max_epochs') notice(tr('atMaxEpochs', { n: stop.epoch }));
    else notice(tr('atTarget', { acc: pct(lang(), stop.test_acc), epoch: stop.epoch }));
    return true;
  }

  /**
   * After a call that trained (`stepsBefore` is the run's step count before
   * it): pauses on divergence or at a stop condition, and says so. A call
   * that reached the stop fires `stopped`; one that found the run already
   * there trained nothing and only says so.
   */
  function afterSteps(stepsBefore) {
    const pg = state.pg;
    const status = pg.status();
    if (status.state === 'diverged') {
      if (state.playing || !banner.shown()) emit('diverged', status);
      state.playing = false;
      banner.show(tr('divergedText', { epoch: status.epoch, why: tr(`diverged_${status.what}`) }));
    } else if (status.state === 'no_data') {
      state.playing = false;
    } else if (status.state === 'step_limit') {
      if (state.playing) notice(tr('stepLimit', { n: status.step }));
      state.playing = false;
    }
    if (pg.steps === stepsBefore) {
      if (status.state === 'ready' && atStop()) state.playing = false;
    } else {
      const stop = pg.stopReached(...stopArgs());
      if (stop) {
        state.playing = false;
        if (stop.reason === 'max_epochs') notice(tr('stoppedAfter', { n: stop.epoch }));
        else notice(tr('reached', { acc: pct(lang(), stop.test_acc), epoch: stop.epoch }));
        emit('stopped', stop);
      }
    }
    state.dirty = true;
  }

  function pick(x, y, { remove, other }) {
    if (state.settings.dataset !== 'custom') {
      if (ui.views.pick(x, y)) state.dirty = true;
      return;
    }
    const pg = state.pg;
    if (remove) {
      pg.removeNearest(x, y);
    } else {
      const label = other ? 1 - state.drawClass : state.drawClass;
      // Every fifth drawn point is held out for testing.
      try {
        pg.addPoint(x, y, label, pg.len() % 5 === 4);
      } catch (e) {
        notice(e.message, 'warn');
      }
    }
    redraw(state, true);
    ui.views.invalidate();
  }

  function hoverText() {
    const p = state.hover;
    if (!p) return '';
    const b = state.bounds;
    const col = Math.min(GRID - 1, Math.max(0, Math.floor(((p.x - b.xMin) / (b.xMax - b.xMin)) * GRID)));
    const row = Math.min(GRID - 1, Math.max(0, Math.floor(((b.yMax - p.y) / (b.yMax - b.yMin)) * GRID)));
    const probs = state.pg.gridProbs();
    const k = probs.length / (GRID * GRID);
    let text = `x ${p.x.toFixed(2)}, y ${p.y.toFixed(2)}`;
    if (k === 1) text += ` · ${tr('pClass1', { p: fmt(probs[row * GRID + col]) })}`;
    else if (k > 1) {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[(row * GRID + col) * k + c] > probs[(row * GRID + col) * k + best]) best = c;
      text += ` · ${tr('pClass', { c: best, p: fmt(probs[(row * GRID + col) * k + best]) })}`;
    }
    return text;
  }

  function cssVar(name) {
    return getComputedStyle(ui.container).getPropertyValue(name).trim();
  }

  function render(now) {
    const pg = state.pg;
    const s = state.settings;
    const status = pg.status();
    const refresh = !state.playing || !reducedMotion.matches || now - state.lastBoundary > 250;
    if (refresh && status.state !== 'diverged') {
      const b = state.bounds;
      if (state.snapshot) pg.gridAt(state.snapshot.weights, GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
      else pg.grid(GRID, b.xMin, b.xMax, b.yMin, b.yMax, s.discretize);
      state.lastBoundary = now;
    }
    find('snapshot-note').hidden = !state.snapshot;
    if (state.snapshot) find('snapshot-note').textContent = tr('snapshotNote', { epoch: state.snapshot.epoch });
    // Views are taken after every call for this frame: any call may have grown memory.
    ui.plot.draw({
      bounds: state.bounds,
      grid: status.state === 'diverged' ? null : { n: GRID, rgba: pg.gridRgba() },
      points: pg.points(),
      labels: pg.labels(),
      testFlags: pg.testFlags(),
      batch: pg.batchIndices(),
      showTest: s.show_test,
    });
    find('hover').textContent = hoverText();
    if (!state.firstDrawn) {
      // Time from navigation to the first boundary on screen (a performance budget).
      state.firstDrawn = true;
      if (hash) performance.mark('first-boundary');
    }
    if (pg.epoch !== state.drawnEpoch) {
      state.drawnEpoch = pg.epoch;
      const x = pg.history('epoch');
      const train = cssVar('--series-train');
      const test = cssVar('--series-test');
      ui.lossChart.update({
        x,
        series: [
          { name: tr('trainLossSeries'), color: train, values: pg.history('train_loss') },
          { name: tr('testLossSeries'), color: test, values: pg.history('test_loss'), dash: true },
        ],
      });
      ui.accChart.update({
        x,
        series: [
          { name: tr('trainAccSeries'), color: train, values: pg.history('train_acc') },
          { name: tr('testAccSeries'), color: test, values: pg.history('test_acc'), dash: true },
        ],
      });
      const e = pg.lastEpoch();
      find('train-loss').textContent = fmt(e?.train_loss);
      find('test-loss').textContent = fmt(e?.test_loss);
      find('train-acc').textContent = e ? pct(lang(), e.train_acc) : '–';
      find('test-acc').textContent = e && e.test_acc !== null ? pct(lang(), e.test_acc) : '–';
      // Once per epoch record of this run: a redraw (language, colours) repeats none,
      // and a run reset and trained before its first frame reports its epoch.
      if (e && (state.emitted.run !== pg || state.emitted.epoch !== e.epoch)) {
        state.emitted = { run: pg, epoch: e.epoch };
        emit('epoch', e);
      }
    }
    ui.controls.update(s, { playing: state.playing, epoch: pg.epoch, steps: pg.steps, lr: pg.lr, classes: pg.nClasses() });
    ui.views.update();
    find('empty-hint').hidden = !(s.dataset === 'custom' && pg.len() === 0);
    for (const target of hash ? [host, document.body] : [host]) {
      target.dataset.epoch = String(pg.epoch);
      target.dataset.playing = String(state.playing);
    }
  }

  function frame(now) {
    if (!state.alive) return;
    // Off-screen playgrounds neither train nor draw (a page of embeds stays cool).
    if (state.visible) {
      if (state.playing) {
        const speed = state.settings.speed;
        const stepsBefore = state.pg.steps;
        state.pg.stepFor(FRAME_BUDGET_MS, speed > 0 ? speed : undefined, ...stopArgs());
        afterSteps(stepsBefore);
      }
      ui.views.frame(now);
      ui.tour?.update();
      if (state.dirty || state.playing) {
        render(now);
        state.dirty = false;
      }
      if (!state.thumbsDrawn) {
        // After the first boundary is on screen: eight small runs, not on the critical path.
        state.thumbsDrawn = true;
        setTimeout(drawThumbnails, 0);
      }
    }
    requestAnimationFrame(frame);
  }

  function drawThumbnails() {
    const colours = [0, 1, 2].map((c) => cssVar(`--class-${c}`));
    for (const kind of ['moons', 'circles', 'xor', 'gaussians', 'spiral', 'spiral3', 'tutorial', 'custom']) {
      const c = ui.controls.thumbCanvas(kind);
      const ctx = c.getContext('2d');
      ctx.clearRect(0, 0, c.width, c.height);
      if (kind === 'custom') {
        ctx.fillStyle = colours[0];
        ctx.font = '28px system-ui, sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText('✎', c.width / 2, c.height / 2);
        continue;
      }
      const p = new wasm.Playground({ seed: 1, dataset: { kind, n_samples: 160, noise: 0.1 } });
      const pts = p.points();
      const labels = p.labels();
      const b = boundsOf(pts);
      for (let i = 0; i < labels.length; i++) {
        ctx.fillStyle = colours[labels[i]];
        const x = ((pts[2 * i] - b.xMin) / (b.xMax - b.xMin)) * c.width;
        const y = (1 - (pts[2 * i + 1] - b.yMin) / (b.yMax - b.yMin)) * c.height;
        ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
      }
      p.free();
    }
  }

  function keyboard(e) {
    const target = e.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
    if (ui.views.key(e)) {
      e.preventDefault();
      return;
    }
    if (e.key === ' ') {
      e.preventDefault();
      action('toggle');
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      action('step-epoch');
    } else if (e.key === 'r' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      action('reset');
    }
  }

  async function copyLink() {
    const url = new URL(location.href);
    url.hash = encodeHash(state.settings);
    try {
      await navigator.clipboard.writeText(url.href);
      notice(tr('linkCopied'));
    } catch {
      const field = find('link-field');
      field.hidden = false;
      field.value = url.href;
      field.select();
      notice(tr('copyLinkManually'));
    }
  }

  /** Shows and hides the header and panels for `embed` and the `*_hide` keys. */
  function applyLayout() {
    if (!ui) return;
    layOut(ui.container, find, state.settings);
    state.dirty = true;
  }

  /** Rewrites every labelled text for the current language; dynamic text follows on the next frame. */
  function relabelUi() {
    const ctxLang = lang();
    ui.container.lang = ctxLang === 'zh' ? 'zh-CN' : 'en';
    relabel(ui.container, tr);
    find('lang').value = state.settings.lang;
    ui.controls.relabel();
    ui.lossChart.setLabels({ yLabel: tr('lossAxis'), epochWord: tr('epochWord') });
    ui.accChart.setLabels({ yLabel: tr('accAxis'), epochWord: tr('epochWord') });
    ui.views.relabel();
    ui.tour?.update();
    redraw(state, true);
  }

  /** Builds the DOM around the live run, once. */
  function buildUi() {
    const { container, logLoss } = buildSkeleton(root, { tr, lang: lang(), language: state.settings.lang }, {
      language: (value) => change('lang', value),
      copyLink,
      startTour: () => startTour('tutorial'),
      reset: () => action('reset'),
    });
    ui = { container };
    const ctx = {
      wasm,
      lang,
      tr,
      run: () => state.pg,
      settings: () => state.settings,
      bounds: () => state.bounds,
      changed: () => { redraw(state, true); ui.views.invalidate(); },
      showSnapshot: (snap) => { state.snapshot = snap; state.dirty = true; },
      shownSnapshot: () => state.snapshot,
      change,
      applySettings,
      action,
      notice,
      find,
      adopt,
      showView: (id) => ui.views.select(id),
      state: () => ({ playing: state.playing }),
      plotCanvas: () => find('plot'),
      chartCanvases: () => [find('loss-chart'), find('acc-chart')],
    };
    ui.controls = mountControls(find('controls'), { change, action }, tr);
    find('run-slot').append(ui.controls.runPanel);
    ui.plot = mountPlot(find('plot'), { hover: (p) => { state.hover = p; state.dirty = true; }, pick });
    ui.lossChart = mountChart(find('loss-chart'), { yLabel: tr('lossAxis'), log: false, readout: find('chart-readout'), epochWord: tr('epochWord') });
    ui.accChart = mountChart(find('acc-chart'), { yLabel: tr('accAxis'), yMin: 0, yMax: 1, readout: find('chart-readout'), epochWord: tr('epochWord') });
    logLoss.addEventListener('change', () => ui.lossChart.setLog(logLoss.checked));
    ui.exports = mountExports(find('export-slot'), ctx);
    ui.views = mountViews(find('panel-views'), ctx);
    applyLayout();
    return ctx;
  }

  function startTour(tour) {
    const spec = typeof tour === 'string' ? TOURS[tour] : tour;
    if (!spec) throw new Error(`unknown tour “${String(tour).slice(0, 40)}”; known: ${Object.keys(TOURS).join(', ')}`);
    ui.tour?.close();
    ui.tour = mountTour(find('tour-slot'), uiCtx, spec, () => {
      ui.tour = null;
      state.settings.tour = '';
      writeHash();
    });
    state.settings.tour = typeof tour === 'string' ? tour : '';
    writeHash();
  }

  // Styles first: the thumbnails and charts read colours from them when drawn.
  if (shadow) await attachStyles(root);
  if (!rebuild()) {
    state.settings = defaults();
    rebuild();
  }
  const uiCtx = buildUi();
  if (problems.length) notice(tr('badLink', { list: problems.join('; ') }), 'warn', true);
  reportUnshown();
  writeHash();

  const keyTarget = hash ? document : ui.container;
  const onKey = (e) => keyboard(e);
  keyTarget.addEventListener('keydown', onKey);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const onScheme = () => { drawThumbnails(); redraw(state, true); };
  scheme.addEventListener('change', onScheme);
  const onHash = () => {
    const next = decodeHash(location.hash, tr);
    if (encodeHash(next.settings) === encodeHash(state.settings)) return;
    const langBefore = state.settings.lang;
    state.settings = next.settings;
    if (next.problems.length) notice(tr('badLinkLater', { list: next.problems.join('; ') }), 'warn', true);
    rebuild();
    if (state.settings.lang !== langBefore) relabelUi();
    else applyLayout();
    reportUnshown();
  };
  if (hash) window.addEventListener('hashchange', onHash);
  const visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) state.visible = entry.isIntersecting;
  });
  visibility.observe(host);

  const tourName = tourOption ?? (state.settings.tour || null);
  if (tourName) {
    try {
      startTour(tourName);
    } catch (e) {
      notice(e.message, 'warn', true);
      problems.push(e.message);
    }
  }
  if (state.settings.autoplay) play();
  // The first frame now rather than at the next vsync: the boundary is drawn
  // as soon as the playground exists (each frame then asks for the next).
  frame(performance.now());

  Object.assign(handle, {
    problems,
    /** Starts training (no-op when the run has diverged or has no data). */
    play,
    pause() { state.playing = false; state.dirty = true; },
    /** Trains `n` epochs now (default 1) and pauses. */
    step(n = 1) {
      state.playing = false;
      const count = Math.max(0, Math.min(100000, Math.floor(Number(n)) || 0));
      if (count === 0) return;
      const before = state.pg.steps;
      state.pg.stepEpochs(count, ...stopArgs());
      afterSteps(before);
    },
    reset() { rebuild(); },
    /** The settings (URL keys), the epoch, whether it plays, and the last epoch's figures. */
    getState() {
      const e = state.pg.lastEpoch();
      return { ...structuredClone(state.settings), epoch: state.pg.epoch, playing: state.playing, status: state.pg.status().state, last: e ?? null };
    },
    /** Applies URL keys; returns the problems (empty when every key was used). */
    setState(partial) {
      return applySettings(partial);
    },
    startTour(tour) { startTour(tour); },
    run: () => state.pg,
    destroy() {
      state.alive = false;
      keyTarget.removeEventListener('keydown', onKey);
      scheme.removeEventListener('change', onScheme);
      if (hash) window.removeEventListener('hashchange', onHash);
      visibility.disconnect();
      ui.container.remove();
      state.pg.free();
    },
  });
  // The teaching views' modules load after the first frame; ready means all of it.
  await ui.views.loaded;
  host.dataset.ready = 'true';
  return handle;
}
