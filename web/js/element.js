// <backprop-playground dataset="moons" layers="10,8" optimizer="adam" …>:
// a playground as an HTML element, built on `mount`. Attributes are the URL
// keys; changing one applies it like the control would, removing one brings
// back its default. Styles and ids live in the element's Shadow DOM. The
// element re-dispatches the handle's `epoch`, `diverged` and `stopped` events
// on itself, and exposes the handle as `element.playground` once
// `element.ready` resolves.
import { mount } from './app.js';
import { bindings } from './wasm.js';
import { defaults, SPEC, useEngine } from './settings.js';

// The attributes are the settings' keys, and the engine's table names them:
// the element is defined once the engine is loaded.
useEngine(await bindings);
const KEYS = Object.keys(SPEC);

export class BackpropPlayground extends HTMLElement {
  static get observedAttributes() {
    return KEYS;
  }

  constructor() {
    super();
    this.playground = null;
    this.ready = new Promise((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
  }

  connectedCallback() {
    if (this.playground || this._mounting) return;
    this._mounting = true;
    const options = {};
    for (const key of KEYS) if (this.hasAttribute(key)) options[key] = this.getAttribute(key);
    mount(this, options).then((handle) => {
      this.playground = handle;
      for (const type of ['epoch', 'diverged', 'stopped']) {
        handle.addEventListener(type, (e) => this.dispatchEvent(new CustomEvent(type, { detail: e.detail })));
      }
      this._resolve(handle);
    }, this._reject);
  }

  /** A changed attribute applies like its control; a removed one returns to the default. */
  attributeChangedCallback(name, before, after) {
    if (!this.playground || before === after) return;
    this.playground.setState({ [name]: after === null ? defaults()[name] : after });
  }
}

if (!customElements.get('backprop-playground')) customElements.define('backprop-playground', BackpropPlayground);
