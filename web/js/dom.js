// Small DOM and geometry helpers shared by the page's modules. Text is only
// ever set with textContent, never parsed as HTML.

/** `document.createElement(tag)` with properties, attributes and children. */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role') node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c);
  return node;
}

/** The segment `{x1, y1, x2, y2}` of `segments` nearest to `(x, y)`, within `within` px. */
export function nearestSegment(segments, x, y, within) {
  let best = null;
  let bestD = within;
  for (const s of segments) {
    const dx = s.x2 - s.x1;
    const dy = s.y2 - s.y1;
    const t = Math.max(0, Math.min(1, ((x - s.x1) * dx + (y - s.y1) * dy) / (dx * dx + dy * dy || 1)));
    const d = Math.hypot(x - (s.x1 + t * dx), y - (s.y1 + t * dy));
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}

/** Pointer event → canvas pixel coordinates. */
export function canvasPoint(canvas, e) {
  const r = canvas.getBoundingClientRect();
  return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height };
}
