// The stand-alone page: one playground that owns the URL hash.
import { mount } from './app.js';
import { browserLang, t } from './i18n.js';

const host = document.getElementById('app');
mount(host, { shadow: false, hash: true })
  .then((handle) => {
    // For the curious (and the tests): the live run and a copy of the settings, from the console.
    window.backprop = Object.freeze({ run: () => handle.run(), settings: () => handle.getState(), handle });
    postHeightWhenFramed();
    document.body.dataset.ready = 'true';
  })
  .catch((e) => {
    host.textContent = t(browserLang(), 'startFailed', { why: e.message });
  });

/**
 * When framed, tells the parent page how tall the playground is, whenever that
 * changes: only `{ type, height }` is sent, and nothing is ever received.
 */
function postHeightWhenFramed() {
  if (window.parent === window) return;
  let last = 0;
  const send = () => {
    // The body, not the document: a document is never shorter than its frame, so it could not shrink.
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'backprop-playground:height', height }, '*');
  };
  new ResizeObserver(send).observe(document.body);
  send();
}
