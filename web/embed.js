// Auto-height for an embedded playground. On the host page:
//   <iframe class="backprop-playground" src="…/index.html#…"></iframe>
//   <script type="module" src="…/embed.js"></script>
// The playground posts { type: 'backprop-playground:height', height } to its
// parent. Only that exact shape, from one of the playground frames on this
// page, with a finite height of 100–20000 px, is used; its height is the only
// thing read, and only as a number. Nothing received is evaluated or rendered.
const TYPE = 'backprop-playground:height';

window.addEventListener('message', (event) => {
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const keys = Object.keys(data);
  if (keys.length !== 2 || data.type !== TYPE || typeof data.height !== 'number') return;
  if (!Number.isFinite(data.height) || data.height < 100 || data.height > 20000) return;
  for (const frame of document.querySelectorAll('iframe.backprop-playground')) {
    if (frame.contentWindow === event.source) frame.style.height = `${Math.ceil(data.height)}px`;
  }
});
