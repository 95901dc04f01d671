import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyWrites } from './KeyWrites';

const record = (email: string, updatedAt: number) => JSON.stringify({ email, name: 'Ada', updatedAt });

afterEach(cleanup);

describe('KeyWrites', () => {
  it('shows the keys whose data changes as diffs and folds the re-stamped and unchanged ones', () => {
    const restamped = Array.from({ length: 5 }, (_, index) => ({
      key: `customer:cus_${index}`,
      before: record(`u${index}@example.com`, 1),
      after: record(`u${index}@example.com`, 2),
    }));
    render(
      <KeyWrites
        label="Changes"
        writes={[
          {
            key: 'customer:cus_A',
            before: record('old@example.com', 1),
            after: record('new@example.com', 2),
          },
          ...restamped,
          { key: 'user:user_A', before: 'cus_A', after: 'cus_A' },
        ]}
      />,
    );
    const list = screen.getByRole('list', { name: 'Changes' });
    // one diff table: the key whose email changed, its time beside it
    const tables = within(list).getAllByRole('table');
    expect(tables).toHaveLength(1);
    const rows = within(tables[0] as HTMLElement).getAllByRole('rowheader');
    expect(rows.map((row) => row.textContent)).toEqual(['email changed', 'updatedAt changed']);
    expect(
      within(list).getByText('5 keys rewritten with the same data (only updatedAt or timestamp moved)'),
    ).toBeTruthy();
    expect(within(list).getByText('user:user_A').parentElement?.textContent).toContain('unchanged');
  });

  it('caps a long write at 20 diffs, the rest one click away', async () => {
    const writes = Array.from({ length: 25 }, (_, index) => ({
      key: `k${index}`,
      before: null,
      after: JSON.stringify({ n: index }),
    }));
    render(<KeyWrites label="Changes" writes={writes} />);
    expect(within(screen.getByRole('list', { name: 'Changes' })).getAllByRole('table')).toHaveLength(20);
    act(() => screen.getByRole('button', { name: 'Show all 25 changed keys' }).click());
    expect(await screen.findAllByRole('table')).toHaveLength(25);
  });
});
