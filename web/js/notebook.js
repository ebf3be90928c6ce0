// "Download as notebook": an exported script as a Jupyter notebook (nbformat
// 4), one code cell per "# %%" section of the script, so the notebook and
// the script are the same program. Pure function: no DOM.

/** The notebook for `script` (its text), as JSON text. */
export function notebook(script, kernel) {
  const cells = [];
  for (const part of script.split(/^(?=# %%)/m)) {
    const text = part.replace(/^#!.*\n/, '').trim();
    if (!text) continue;
    const lines = text.split('\n');
    cells.push({
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l)),
    });
  }
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
        language_info: { name: 'python' },
        backprop_playground: { kind: kernel },
      },
      cells: cells.map((c, i) => ({ id: `cell-${i}`, ...c })),
    },
    null,
    1,
  );
}
