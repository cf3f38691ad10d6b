/**
 * A text table that fits a terminal: columns shrink (widest first) until the table fits, and cells
 * wrap at word boundaries inside their column.
 */

/** Columns never shrink below this many characters, however narrow the terminal. */
const MIN_COLUMN = 12;
const GAP = '  ';

/** Splits text into lines of at most `width` characters, at spaces where it can, inside words where it must. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let w = word;
      while (w.length > width) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
      if (!line) line = w;
      else if (line.length + 1 + w.length <= width) line += ` ${w}`;
      else {
        lines.push(line);
        line = w;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Column widths that fit `width` in total: the widest column gives up a character until the table fits. */
export function fitWidths(natural: readonly number[], width: number): number[] {
  const widths = [...natural];
  const budget = width - GAP.length * (widths.length - 1);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= MIN_COLUMN) break;
    widths[widest]!--;
    total--;
  }
  return widths;
}

/** Renders a table no wider than `width` (unless even the narrowest columns cannot fit). */
export function renderWrappedTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
): string {
  const natural = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = fitWidths(natural, width);
  const out: string[] = [];
  const emit = (cells: readonly string[]) => {
    const wrapped = widths.map((w, i) => wrapText(cells[i] ?? '', w));
    const height = Math.max(...wrapped.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      out.push(
        wrapped
          .map((c, i) => (c[l] ?? '').padEnd(widths[i]!))
          .join(GAP)
          .trimEnd(),
      );
    }
  };
  emit(header);
  out.push(widths.map((w) => '-'.repeat(w)).join(GAP));
  for (const r of rows) emit(r);
  return out.join('\n');
}

/** The width to wrap to: the terminal's, else `COLUMNS`, else 100. */
export function terminalWidth(stream: { columns?: number; isTTY?: boolean } = process.stdout): number {
  if (stream.isTTY && stream.columns) return stream.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 20 ? env : 100;
}
