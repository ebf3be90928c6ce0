// The wasm bindings, once Trunk's loader has initialised them. Trunk sets
// `window.wasmBindings` and fires `TrunkApplicationStarted`; this module may
// run before or after that, so it handles both orders.
export const bindings = new Promise((resolve) => {
  if (window.wasmBindings) {
    resolve(window.wasmBindings);
    return;
  }
  window.addEventListener('TrunkApplicationStarted', () => resolve(window.wasmBindings), { once: true });
});
