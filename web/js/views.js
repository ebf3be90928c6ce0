// The teaching views under the playground, as tabs. Only the open tab draws;
// `frame()` runs every animation frame (the race trains there, the timeline
// records). The host tracks what the open view last drew and calls its
// `update(true)` only when the run stepped or something it shows changed.
//
// The views' modules are loaded with `import()` when the tabs are built, so
// the page's first boundary does not wait for them; `loaded` resolves once
// every view is mounted (the page is ready only then). The timeline is
// imported up front: it records snapshots from the first frame on.
import { mountTimeline } from './timeline.js';
import { labelled } from './i18n.js';

// [id, title key, its mount function (or a promise of it), whether it shows the main run (and redraws when that changes)]
const TABS = [
  ['walk', 'tab', () => import('./walkthrough.js').then((m) => m.mountWalkthrough), false], // follows its own point (see walkthrough.js)
  ['race', 'tabRace', () => import('./race.js').then((m) => m.mountRace), false],
  ['lab', 'tabLab', () => import('./lab.js').then((m) => m.mountLab), true],
  ['network', 'tabNetwork', () => import('./diagram.js').then((m) => m.mountDiagram), true],
  ['hidden', 'tabHidden', () => import('./hidden.js').then((m) => m.mountHidden), true],
  ['timeline', 'tabTimeline', () => mountTimeline, true],
  ['landscape', 'tabLandscape', () => import('./landscape.js').then((m) => m.mountLandscape), true],
  ['bughunt', 'tabBugHunt', () => import('./bughunt.js').then((m) => m.mountBugHunt), false], // trains its own buggy network (see bughunt.js)
];

export function mountViews(root, ctx) {
  const list = document.createElement('div');
  list.className = 'tabs';
  list.setAttribute('role', 'tablist');
  list.setAttribute('aria-label', ctx.tr('teachingViews'));
  list.dataset.i18nAria = 'teachingViews';
  root.append(list);
  const views = {};
  let active = 'walk';
  // What the open view last drew: the run's step, and a generation bumped by
  // anything else that changes what the views show (a new run, drawn points,
  // an edited weight, a setting). Views redraw when it moves, not every frame.
  let generation = 0;
  let shownKey = null;
  const runKey = () => `${generation}:${ctx.run().epoch}:${ctx.run().steps}`;
  const mounting = [];
  for (const [id, title, load, followsRun] of TABS) {
    const tab = labelled(ctx.tr, 'button', title, { type: 'button', id: `tab-${id}` });
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', `view-${id}`);
    const panel = document.createElement('section');
    panel.id = `view-${id}`;
    panel.className = 'panel view-panel';
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', tab.id);
    list.append(tab);
    root.append(panel);
    // Until its module arrives, a view is an empty panel that ignores every call.
    views[id] = { tab, panel, followsRun, view: {} };
    const mountView = (mount) => {
      views[id].view = mount(panel, ctx);
      if (id === active) select(id);
    };
    const mount = load();
    if (mount instanceof Promise) mounting.push(mount.then(mountView));
    else mountView(mount);
    tab.addEventListener('click', () => select(id));
  }
  function select(id) {
    active = id;
    for (const [k, v] of Object.entries(views)) {
      v.tab.setAttribute('aria-selected', String(k === id));
      v.panel.hidden = k !== id;
    }
    shownKey = runKey();
    views[id].view.update?.(true);
    ctx.redrawPlot(); // the main plot rings only the open view's point
  }
  select(active);
  return {
    /** Resolves when every view is mounted. */
    loaded: Promise.all(mounting),
    /** Opens tab `id` (walk, race, lab, network, hidden, timeline, landscape, bughunt). */
    select(id) {
      if (views[id]) select(id);
    },
    frame(now) {
      for (const [k, v] of Object.entries(views)) v.view.frame?.(now, k === active);
    },
    /** After the main run or what it shows changed: the open view redraws if it follows the run. */
    update() {
      const key = runKey();
      if (key === shownKey) return;
      shownKey = key;
      if (views[active].followsRun) views[active].view.update?.(true);
    },
    /** Something the views show changed without a step (points, a weight, a setting). */
    invalidate() {
      generation++;
    },
    /** The run started afresh: each view forgets what it followed of the old one. */
    freshRun() {
      generation++;
      for (const v of Object.values(views)) v.view.freshRun?.();
    },
    /** A click on the main plot, offered to the open view; true if it used it. */
    pick(x, y) {
      return views[active].view.pick?.(x, y) ?? false;
    },
    /** The point the open view follows, for the main plot to ring (null: none). */
    marked() {
      return views[active].view.marked?.() ?? null;
    },
    /** A key press, offered to the open view first; true if it used it. */
    key(e) {
      return views[active].view.key?.(e) ?? false;
    },
    /** After a language switch (keyed labels are already rewritten). */
    relabel() {
      for (const v of Object.values(views)) v.view.relabel?.();
      views[active].view.update?.(true);
    },
  };
}

