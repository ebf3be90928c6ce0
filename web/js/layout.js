// One playground's DOM: where it lives (its own Shadow DOM, or the host
// element itself), its styles, the skeleton the controls, plot, charts,
// views and exports mount into, and the layout keys (`embed`, `*_hide`).
// Every fixed label carries its message key (i18n.js), so a language switch
// rewrites it in place.
import { el } from './dom.js';
import { labelled } from './i18n.js';
import { PANELS } from './settings.js';

/**
 * The root to build in: `host`'s shadow root (made if needed) when `shadow`,
 * else `host` itself. Refuses a host that already holds a playground.
 */
export function openRoot(host, shadow) {
  const root = shadow ? host.shadowRoot ?? host.attachShadow({ mode: 'open' }) : host;
  if ([...root.children].some((c) => c.classList.contains('bp-app'))) {
    throw new Error('mount: this element already holds a playground; destroy() that one first');
  }
  return root;
}

/**
 * Gives a shadow root the page's stylesheet, and resolves once it applies
 * (the thumbnails and charts read colours from it when drawn): inlined by
 * the single-file build, else linked from next to this module's folder.
 */
export async function attachStyles(root) {
  if (typeof globalThis.__BACKPROP_CSS__ === 'string') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(globalThis.__BACKPROP_CSS__);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const link = el('link', { rel: 'stylesheet', href: new URL('../style.css', import.meta.url).href });
  root.prepend(link);
  await new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
}

/**
 * `find(id)`: the node with that id under `root`. The loop looks nodes up
 * every frame, so each is remembered while it stays in the page.
 */
export function finder(root) {
  const found = new Map();
  return (id) => {
    const hit = found.get(id);
    if (hit?.isConnected) return hit;
    const node = root.querySelector(`#${id}`);
    if (node) found.set(id, node);
    return node;
  };
}

/**
 * Builds the skeleton in `root`, worded by `tr` in `lang`, and returns
 * `{ container, logLoss }` (the log-scale box belongs to the loss chart).
 * The header's actions flow up through `on`: `language(value)`,
 * `copyLink()`, `startTour()`, `restart()` (the banner's reset); `language` is the current choice.
 */
export function buildSkeleton(root, { tr, lang, language }, on) {
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  const aria = (key) => ({ 'data-i18n-aria': key, 'aria-label': tr(key) });
  const container = el('div', { class: 'bp-app', lang: lang === 'zh' ? 'zh-CN' : 'en' });
  container.tabIndex = -1;
  const langSwitch = el('select', { id: 'lang', ...aria('language') }, [
    L('option', 'langAuto', { value: '' }),
    el('option', { value: 'en', text: 'English' }),
    el('option', { value: 'zh', text: '简体中文' }),
  ]);
  langSwitch.value = language;
  langSwitch.addEventListener('change', () => on.language(langSwitch.value));
  const copy = L('button', 'copyLink', { id: 'copy-link', type: 'button' });
  copy.addEventListener('click', () => on.copyLink());
  const tourButton = L('button', 'tourStart', { id: 'tour-start', type: 'button' });
  tourButton.addEventListener('click', () => on.startTour());
  const stat = (id, key) => el('div', {}, [L('dt', key), el('dd', { id, text: '–' })]);
  const logLoss = el('input', { id: 'log-loss', type: 'checkbox' });
  const bannerReset = L('button', 'reset', { id: 'banner-reset', type: 'button' });
  bannerReset.addEventListener('click', () => on.restart());
  container.append(
    el('header', { class: 'top', id: 'top' }, [
      el('div', {}, [L('h1', 'appTitle'), L('p', 'tagline', { class: 'tagline' })]),
      el('div', { class: 'top-actions' }, [tourButton, copy, el('input', { id: 'link-field', type: 'text', readOnly: true, hidden: true, ...aria('linkField') }), langSwitch]),
    ]),
    el('div', { id: 'tour-slot' }),
    el('div', { id: 'notices', class: 'notices', role: 'status', 'aria-live': 'polite' }),
    el('div', { id: 'banner', class: 'banner', role: 'alert', hidden: true }, [el('p', { id: 'banner-text' }), bannerReset]),
    el('main', { class: 'layout' }, [
      el('div', { id: 'controls', class: 'controls' }),
      el('section', { class: 'view panel', 'aria-labelledby': 'view-title' }, [
        L('h2', 'boundaryTitle', { id: 'view-title' }),
        el('canvas', { id: 'plot', width: 560, height: 560, ...aria('plotLabel') }),
        el('p', { id: 'hover', class: 'hover', 'aria-live': 'off' }),
        L('p', 'emptyHint', { id: 'empty-hint', class: 'hint', hidden: true }),
        el('p', { id: 'snapshot-note', class: 'hint', hidden: true }),
        el('dl', { class: 'stats' }, [stat('train-loss', 'trainLoss'), stat('test-loss', 'testLoss'), stat('train-acc', 'trainAcc'), stat('test-acc', 'testAcc')]),
      ]),
      el('div', { class: 'side' }, [
        el('div', { id: 'run-slot' }),
        el('section', { id: 'panel-curves', class: 'panel charts', 'aria-labelledby': 'curves-title' }, [
          L('h2', 'curves', { id: 'curves-title' }),
          el('canvas', { id: 'loss-chart', width: 380, height: 190, ...aria('lossChartLabel') }),
          el('div', { class: 'field check' }, [logLoss, L('label', 'logLoss', { for: 'log-loss' })]),
          el('canvas', { id: 'acc-chart', width: 380, height: 190, ...aria('accChartLabel') }),
          el('p', { id: 'chart-readout', class: 'hover', 'aria-live': 'off' }),
        ]),
        el('div', { id: 'diagnosis-slot' }),
        el('div', { id: 'export-slot' }),
      ]),
    ]),
    el('div', { id: 'panel-views', class: 'views' }),
  );
  root.append(container);
  return { container, logLoss };
}

/** Shows and hides the header and panels of `container` for `embed` and the `*_hide` keys of `settings`. */
export function applyLayout(container, find, settings) {
  container.classList.toggle('embed', settings.embed);
  find('top').hidden = settings.embed;
  for (const p of PANELS) {
    const node = find(`panel-${p}`);
    if (node) node.hidden = settings[`${p}_hide`];
  }
}
