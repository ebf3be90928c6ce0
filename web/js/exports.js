// Share and export: PNG of the boundary and of the curves, CSV of the history
// and of the data, the model as JSON (and import), and the run as a PyTorch
// or NumPy script. Files are made in the page and downloaded; nothing is sent.
import { el } from './dom.js';
import { labelled } from './i18n.js';

const SERIES = ['epoch', 'train_loss', 'test_loss', 'train_acc', 'test_acc', 'lr'];

/** Saves `blob` as `name` through a temporary link. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The history as CSV text, one row per epoch. */
export function historyCsv(pg) {
  const cols = SERIES.map((s) => pg.history(s)).map((a) => Array.from(a));
  const rows = [SERIES.join(',')];
  for (let i = 0; i < cols[0].length; i++) rows.push(cols.map((c) => (Number.isFinite(c[i]) ? String(c[i]) : '')).join(','));
  return `${rows.join('\n')}\n`;
}

/** Both canvases side by side on one image (the curves). */
function stack(canvases) {
  const w = canvases.reduce((s, c) => s + c.width, 0);
  const h = Math.max(...canvases.map((c) => c.height));
  const out = el('canvas', { width: w, height: h });
  const g = out.getContext('2d');
  g.fillStyle = getComputedStyle(canvases[0]).getPropertyValue('--panel').trim() || '#fff';
  g.fillRect(0, 0, w, h);
  let x = 0;
  for (const c of canvases) {
    g.drawImage(c, x, 0);
    x += c.width;
  }
  return out;
}

export function mountExports(slot, ctx) {
  const { tr } = ctx;
  const L = (tag, key, props = {}, kids = []) => labelled(tr, tag, key, props, kids);
  // The scripts' generator is this panel's largest part and no part of the first boundary:
  // it is fetched when the panel is built (after the engine has loaded), not with the page.
  let codegen = null;
  const loaded = import('./codegen.js').then((m) => { codegen = m; });
  const button = (id, key, onClick) => {
    const b = L('button', key, { type: 'button', id });
    b.addEventListener('click', () => {
      // A click before the generator has arrived waits for it; any failure is a notice.
      (codegen ? Promise.resolve().then(onClick) : loaded.then(onClick)).catch((e) => {
        ctx.notice(tr('exportFailed', { why: e.message }), 'warn');
      });
    });
    return b;
  };
  const fileInput = el('input', { type: 'file', id: 'import-model', accept: '.json,application/json' });
  fileInput.hidden = true;
  const code = el('textarea', { id: 'export-code', class: 'mono', rows: 10, readOnly: true, spellcheck: false, 'data-i18n-aria': 'codeLabel', 'aria-label': tr('codeLabel') });
  const codeBox = el('details', { id: 'export-code-box', hidden: true }, [L('summary', 'codeSummary'), code]);
  const stem = () => `backprop-${ctx.settings().dataset}-epoch${ctx.run().epoch}`;

  function script(kind) {
    const pg = ctx.run();
    // The scripts replay classification runs; a regression's values are not written into them yet.
    if (pg.hasValues()) {
      ctx.notice(tr('scriptNoValues'), 'warn', true);
      return '';
    }
    const facts = codegen.runFacts(pg, ctx.settings().max_epochs);
    const text = (kind === 'pytorch' ? codegen.pytorchScript : codegen.numpyScript)(facts);
    code.value = text;
    codeBox.hidden = false;
    codeBox.open = true;
    codeBox.dataset.kind = kind;
    navigator.clipboard?.writeText(text).then(
      () => ctx.notice(tr('codeCopied', { kind: kind === 'pytorch' ? 'PyTorch' : 'NumPy' })),
      () => ctx.notice(tr('codeShown')),
    );
    return text;
  }

  /** Replaces the run with the one in `text` (a model JSON); false (and a notice) when it cannot. */
  function importText(text) {
    let run;
    try {
      run = ctx.importModel(text);
    } catch (e) {
      ctx.notice(tr('importFailed', { why: e.message }), 'warn', true);
      return false;
    }
    ctx.notice(tr('imported', { epoch: run.epoch }));
    return true;
  }

  const csvInput = el('input', { type: 'file', id: 'import-csv', accept: '.csv,text/csv,text/plain' });
  csvInput.hidden = true;
  csvInput.addEventListener('change', async () => {
    const file = csvInput.files?.[0];
    csvInput.value = '';
    if (file) ctx.importCsvFile(file);
  });

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    if (file.size > 16 * 1024 * 1024) {
      ctx.notice(tr('importTooBig', { name: file.name }), 'warn', true);
      return;
    }
    importText(await file.text());
  });

  const panel = el('section', { class: 'panel exports', id: 'panel-export', 'aria-labelledby': 'export-title' }, [
    L('h2', 'exportTitle', { id: 'export-title' }),
    el('div', { class: 'buttons' }, [
      button('export-png', 'exportPng', () => ctx.plotCanvas().toBlob((b) => download(b, `${stem()}.png`))),
      button('export-curves', 'exportCurves', () => stack(ctx.chartCanvases()).toBlob((b) => download(b, `${stem()}-curves.png`))),
      button('export-history', 'exportHistory', () => download(new Blob([historyCsv(ctx.run())], { type: 'text/csv' }), `${stem()}-history.csv`)),
      button('export-data', 'exportData', () => download(new Blob([ctx.run().exportCsv()], { type: 'text/csv' }), `backprop-${ctx.settings().dataset}-data.csv`)),
      button('export-model', 'exportModel', () => download(new Blob([ctx.run().exportModel()], { type: 'application/json' }), `${stem()}.json`)),
      button('import-model-button', 'importModel', () => fileInput.click()),
      fileInput,
      button('import-csv-button', 'importCsv', () => csvInput.click()),
      csvInput,
    ]),
    el('div', { class: 'buttons' }, [
      button('export-pytorch', 'exportPytorch', () => script('pytorch')),
      button('export-numpy', 'exportNumpy', () => script('numpy')),
      button('export-notebook', 'exportNotebook', async () => {
        // The script last shown (PyTorch when none is), as a Jupyter notebook.
        const kind = codeBox.dataset.kind || 'pytorch';
        const text = script(kind);
        if (!text) return;
        const { notebook } = await import('./notebook.js');
        download(new Blob([notebook(text, kind)], { type: 'application/x-ipynb+json' }), `${stem()}-${kind}.ipynb`);
      }),
    ]),
    codeBox,
  ]);
  slot.append(panel);
  return { script, importText, historyCsv: () => historyCsv(ctx.run()), loaded };
}
