import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VIRTUALISE_AFTER, VirtualRowGroups } from './VirtualRowGroups';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const ids = (count: number) => Array.from({ length: count }, (_, index) => `user_${index}`);

function Table({ items }: { items: string[] }) {
  return (
    <table>
      <caption>Users with problems</caption>
      <thead>
        <tr>
          <th scope="col">User</th>
        </tr>
      </thead>
      <VirtualRowGroups
        items={items}
        getKey={(id) => id}
        columns={1}
        estimateHeight={40}
        renderRows={(id) => (
          <tr>
            <th scope="row">{id}</th>
          </tr>
        )}
      />
    </table>
  );
}

/** Data rows only: the header row and the hidden spacer rows are not counted. */
const dataRows = (container: HTMLElement) => container.querySelectorAll('tbody th').length;

describe('VirtualRowGroups', () => {
  it('renders every row of a short list', () => {
    const { container } = render(<Table items={ids(VIRTUALISE_AFTER)} />);
    expect(dataRows(container)).toBe(VIRTUALISE_AFTER);
    expect(screen.getByText(`user_${VIRTUALISE_AFTER - 1}`)).toBeTruthy();
  });

  it('past a few hundred rows renders only those near the view, inside the same table', () => {
    // jsdom lays nothing out: each row group is given the height a browser would measure.
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockReturnValue(40);
    const { container } = render(<Table items={ids(1000)} />);
    const rendered = dataRows(container);
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    expect(screen.getByText('user_0')).toBeTruthy();
    expect(screen.queryByText('user_999')).toBeNull();
    expect(screen.getByRole('table', { name: 'Users with problems' })).toBeTruthy();
  });
});
