// Progressive enhancement for tables: sortable headers and a row filter. Every table is complete
// and readable without this script; it only reorders and hides rows in the browser.

function cellValue(row: HTMLTableRowElement, index: number): string {
  const cell = row.cells[index];
  if (!cell) return '';
  return cell.dataset.sort ?? cell.textContent?.trim() ?? '';
}

function compare(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const x = Number.parseFloat(a.replace(/[^0-9.-]/g, ''));
    const y = Number.parseFloat(b.replace(/[^0-9.-]/g, ''));
    const nx = Number.isNaN(x) ? -Infinity : x;
    const ny = Number.isNaN(y) ? -Infinity : y;
    return nx - ny;
  }
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

function makeSortable(table: HTMLTableElement): void {
  const headers = Array.from(table.tHead?.rows[0]?.cells ?? []);
  const body = table.tBodies[0];
  if (!body) return;
  headers.forEach((th, index) => {
    if (th.dataset.nosort !== undefined) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.append(...Array.from(th.childNodes));
    th.append(button);
    button.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const numeric = th.classList.contains('num');
      const rows = Array.from(body.rows);
      rows.sort((r1, r2) => compare(cellValue(r1, index), cellValue(r2, index), numeric) * (ascending ? 1 : -1));
      body.append(...rows);
    });
  });
}

/** Below this many rows a filter is more clutter than help. */
const FILTER_MIN_ROWS = 8;

function makeFilterable(table: HTMLTableElement): void {
  const body = table.tBodies[0];
  if (!body || body.rows.length < FILTER_MIN_ROWS) return;
  const tools = document.createElement('div');
  tools.className = 'table-tools';
  const label = document.createElement('label');
  label.textContent = table.dataset.filter || 'Filter rows';
  const input = document.createElement('input');
  input.type = 'search';
  label.append(input);
  tools.append(label);
  const selects: Array<{ index: number; select: HTMLSelectElement }> = [];
  Array.from(table.tHead?.rows[0]?.cells ?? []).forEach((th, index) => {
    if (th.dataset.filterSelect === undefined) return;
    const values = new Set(Array.from(body.rows).map((r) => cellValue(r, index)).filter(Boolean));
    const l = document.createElement('label');
    l.textContent = th.dataset.filterSelect || th.textContent?.trim() || 'Column';
    const select = document.createElement('select');
    select.append(new Option('All', ''));
    for (const v of Array.from(values).sort()) select.append(new Option(v, v));
    l.append(select);
    tools.append(l);
    selects.push({ index, select });
  });
  const count = document.createElement('span');
  count.className = 'table-count';
  count.setAttribute('aria-live', 'polite');
  tools.append(count);
  (table.closest('.table-wrap') ?? table).before(tools);
  const apply = () => {
    const needle = input.value.trim().toLowerCase();
    let shown = 0;
    for (const row of Array.from(body.rows)) {
      const textOk = needle === '' || (row.textContent ?? '').toLowerCase().includes(needle);
      const selectOk = selects.every(({ index, select }) => select.value === '' || cellValue(row, index) === select.value);
      row.hidden = !(textOk && selectOk);
      if (!row.hidden) shown += 1;
    }
    count.textContent = `${shown} of ${body.rows.length} rows shown`;
  };
  input.addEventListener('input', apply);
  for (const { select } of selects) select.addEventListener('change', apply);
  apply();
}

for (const table of Array.from(document.querySelectorAll<HTMLTableElement>('table[data-sortable]'))) makeSortable(table);
for (const table of Array.from(document.querySelectorAll<HTMLTableElement>('table[data-filter]'))) makeFilterable(table);
