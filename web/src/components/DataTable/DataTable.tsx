import { type CSSProperties, Fragment, type ReactNode } from 'react';
import { VirtualRowGroups } from '../VirtualRowGroups/VirtualRowGroups';

/** A column header; `hidden` keeps its words for assistive technology only (an actions column). */
export type Column = string | { label: string; hidden: true };

interface DataTableProps<T> {
  columns: readonly Column[];
  /** the table's accessible name; shown above it unless `captionHidden` */
  caption?: ReactNode;
  captionHidden?: boolean;
  /** extra class beside `table` (column widths of one page) */
  className?: string;
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** one row's `<tr>`s */
  renderRow: (row: T) => ReactNode;
  /** a typical row's height in px: set for lists that may run to hundreds, which are then virtualised */
  virtualRowHeight?: number;
  /** under the table, in the same scroll box ("showing the newest 500") */
  footer?: ReactNode;
}

/** The most columns narrow.css labels when a table stacks on a phone. */
const STACKED_LABEL_COLUMNS = 8;

/**
 * What lets a table stack in a narrow window (narrow.css): one block per row, each value led by its
 * column's name, handed to the stylesheet as a CSS string in `--column-N` (a hidden column's words
 * stay hidden there too). Tables that are no DataTable (a chart's figures, a policy's actions) use it
 * with their own headers.
 */
export function stackingTable(columns: readonly Column[], className?: string) {
  const style: Record<string, string> = {};
  columns.slice(0, STACKED_LABEL_COLUMNS).forEach((column, index) => {
    style[`--column-${index + 1}`] = JSON.stringify(typeof column === 'string' ? column : '');
  });
  return {
    className: className ? `table table-stacks ${className}` : 'table table-stacks',
    style: style satisfies CSSProperties,
  };
}

/**
 * The dashboard's one table: scroll box, caption, column headers (`scope="col"`), one body of rows.
 * Rows keep their own markup, so a row header (`<th scope="row">`) and cell content stay the page's.
 * In a narrow window it stacks: one block per row, each value led by its column's name.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, caption, captionHidden, className, rows, rowKey, renderRow, virtualRowHeight, footer } =
    props;
  return (
    <div className="table-scroll">
      <table {...stackingTable(columns, className)}>
        {caption === undefined ? null : (
          <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        )}
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th key={column} scope="col">
                  {column}
                </th>
              ) : (
                <th key={column.label} scope="col">
                  <span className="visually-hidden">{column.label}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        {virtualRowHeight === undefined ? (
          <tbody>
            {rows.map((row) => (
              <Fragment key={rowKey(row)}>{renderRow(row)}</Fragment>
            ))}
          </tbody>
        ) : (
          <VirtualRowGroups
            items={rows}
            getKey={rowKey}
            columns={columns.length}
            estimateHeight={virtualRowHeight}
            renderRows={renderRow}
          />
        )}
      </table>
      {footer}
    </div>
  );
}
