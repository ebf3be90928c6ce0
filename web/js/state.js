// One playground's state, and the ways it says what happened.
//
// The state is one plain object per playground: the settings (the URL keys),
// the live run and what the page shows of it. The run's API (runapi.js) is
// what changes the run and the settings; the loop (loop.js) keeps what it
// last drew. What happened is said on the page (notices, the divergence
// banner) and to the host page (events on the handle).
import { el } from './dom.js';

/** The state of a playground that starts from `settings`. */
export function createState(settings) {
  return {
    settings,
    pg: null, // the live wasm `Playground`
    bounds: null, // the plot's window in data space: { xMin, xMax, yMin, yMax }
    playing: false,
    drawClass: 0, // the class a click adds to a hand-drawn dataset
    snapshot: null, // a timeline snapshot shown on the main boundary, or null for the present
    hover: null, // the pointer over the plot, in data space, or null
    lastAnnounced: null, // the setting whose change last said the run restarted
    unshown: '[]', // the keys whose values the controls cannot show, as last said
    // What the loop last drew: it redraws when `dirty`, and the charts and figures when the epoch is not `drawnEpoch`.
    dirty: true,
    drawnEpoch: -1,
    lastBoundary: 0, // when the boundary was last computed (reduced motion computes it less often)
    emitted: { run: null, epoch: -1 }, // the run and epoch of the last `epoch` event
    firstDrawn: false,
    thumbsDrawn: false,
    visible: true, // on screen: off-screen playgrounds neither train nor draw
    alive: true, // false once destroyed: the loop stops
  };
}

/**
 * Asks the next frame to redraw; with `charts`, the charts and figures too
 * (what they show changed without a new epoch: points, a weight, the colours).
 */
export function redraw(state, charts = false) {
  state.dirty = true;
  if (charts) state.drawnEpoch = -1;
}

/**
 * The playground's messages, found through `find` (its lookup by id) and
 * worded by `tr`: `notice(text, kind, sticky)` adds a dismissable notice
 * (`kind` 'info' or 'warn'; text only, never HTML; gone after 8 s unless
 * sticky), and `banner` shows or hides the divergence banner.
 */
export function createNotices(find, tr) {
  function notice(text, kind = 'info', sticky = false) {
    const close = el('button', { type: 'button', text: '×', 'aria-label': tr('dismiss') });
    const p = el('p', { class: `notice ${kind}`, text }, [close]);
    close.addEventListener('click', () => p.remove());
    find('notices')?.append(p);
    if (!sticky) setTimeout(() => p.remove(), 8000);
  }
  const banner = {
    show(text) {
      find('banner-text').textContent = text;
      find('banner').hidden = false;
    },
    hide() {
      const node = find('banner');
      if (node) node.hidden = true;
    },
    shown: () => find('banner')?.hidden === false,
  };
  return { notice, banner };
}

/** `emit(type, detail)`: fires a `CustomEvent` on `target` (the handle). */
export function emitter(target) {
  return (type, detail) => target.dispatchEvent(new CustomEvent(type, { detail }));
}
