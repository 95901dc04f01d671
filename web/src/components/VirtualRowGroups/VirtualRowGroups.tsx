import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';

/**
 * Up to this many items every row is in the page (find-in-page and Tab reach them all); past it
 * only the rows near the view are, so a long list stays quick to render and scroll.
 */
export const VIRTUALISE_AFTER = 200;

interface VirtualRowGroupsProps<T> {
  items: readonly T[];
  getKey: (item: T) => string;
  /** One item's `<tr>`s. Each item gets a `<tbody>` of its own, so an item of several rows or an
   * expanded one is measured as a whole. */
  renderRows: (item: T, index: number) => ReactNode;
  /** the table's column count, for the spacer rows */
  columns: number;
  /** a typical item's height in px, until it is measured */
  estimateHeight: number;
}

/** The bodies of a table whose rows may number in the hundreds; the table keeps its semantics. */
export function VirtualRowGroups<T>(props: VirtualRowGroupsProps<T>) {
  const { items, getKey, renderRows } = props;
  if (items.length <= VIRTUALISE_AFTER)
    return items.map((item, index) => <tbody key={getKey(item)}>{renderRows(item, index)}</tbody>);
  return <Windowed {...props} />;
}

/** Empty rows as tall as the rows left out, hidden from assistive technology. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tr className="virtual-spacer" style={{ height }}>
      <td colSpan={columns} />
    </tr>
  );
}

function Windowed<T>({ items, getKey, renderRows, columns, estimateHeight }: VirtualRowGroupsProps<T>) {
  const startRef = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);

  // The page scrolls, not the table: where the rows start on the page moves whenever anything
  // above them grows or shrinks (a notice, an expanded entry), so it is re-read after every render.
  useLayoutEffect(() => {
    const top = startRef.current?.getBoundingClientRect().top;
    if (top === undefined) return;
    const margin = Math.round(top + window.scrollY);
    if (margin !== scrollMargin) setScrollMargin(margin);
  });

  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => estimateHeight,
    overscan: 10,
    scrollMargin,
    getItemKey: (index) => getKey(items[index] as T),
  });
  const rows = virtualizer.getVirtualItems();
  const before = (rows[0]?.start ?? scrollMargin) - scrollMargin;
  const after = virtualizer.getTotalSize() - ((rows.at(-1)?.end ?? scrollMargin) - scrollMargin);

  return (
    <>
      <tbody ref={startRef} aria-hidden="true">
        <Spacer height={before} columns={columns} />
      </tbody>
      {rows.map((row) => (
        <tbody key={row.key} data-index={row.index} ref={virtualizer.measureElement}>
          {renderRows(items[row.index] as T, row.index)}
        </tbody>
      ))}
      <tbody aria-hidden="true">
        <Spacer height={after} columns={columns} />
      </tbody>
    </>
  );
}
