/** Which rows a virtualized list renders: pure arithmetic, unit-tested on Node. */
export interface RowWindow {
  /** First row index rendered (inclusive). */
  first: number;
  /** Last row index rendered (exclusive). */
  end: number;
}

/** Rows visible in a viewport of `height` pixels scrolled to `scrollTop`, plus `overscan` rows on each side, within [0, count). */
export function rowWindow(scrollTop: number, height: number, rowHeight: number, count: number, overscan = 8): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const visible = Math.ceil(Math.max(0, height) / rowHeight) + 1;
  return { first: Math.min(top, count), end: Math.min(count, top + visible + 2 * overscan) };
}

/** The scrollTop that brings row `index` fully into a viewport (unchanged when it already is). */
export function scrollToReveal(index: number, scrollTop: number, height: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + height) return top + rowHeight - height;
  return scrollTop;
}

/** The row a key press moves to, clamped to [0, count). `page` is the rows per viewport. */
export function moveFocus(key: string, index: number, count: number, page: number): number | undefined {
  if (count === 0) return undefined;
  const clamp = (n: number) => Math.max(0, Math.min(count - 1, n));
  switch (key) {
    case 'ArrowDown':
      return clamp(index + 1);
    case 'ArrowUp':
      return clamp(index - 1);
    case 'PageDown':
      return clamp(index + Math.max(1, page - 1));
    case 'PageUp':
      return clamp(index - Math.max(1, page - 1));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
