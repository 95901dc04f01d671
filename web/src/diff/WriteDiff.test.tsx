import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WriteDiff } from './WriteDiff';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('WriteDiff', () => {
  it('shows an id removed from a list and one added as two rows of that list, before and after', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    render(
      <WriteDiff
        write={{
          key: 'customer:cus_1',
          before: JSON.stringify({ subscriptions: ['sub_A', 'sub_B'] }),
          after: JSON.stringify({ subscriptions: ['sub_B', 'sub_C'] }),
        }}
      />,
    );
    const rows = screen.getAllByRole('row').filter((row) => row.classList.contains('diff-row'));
    expect(rows.map((row) => row.getAttribute('data-change'))).toEqual(['removed', 'added']);
    expect(within(rows[0] as HTMLElement).getByRole('rowheader').textContent).toBe('subscriptions removed');
    expect(rows[0]?.textContent).toContain('sub_A');
    expect(rows[1]?.textContent).toContain('sub_C');
    // rows keyed by their value, not their shared path: React has nothing to warn about
    expect(errors).not.toHaveBeenCalled();
  });

  it('names its columns for a narrow window, where each change stacks', () => {
    render(<WriteDiff write={{ key: 'k', before: '{"a":1}', after: '{"a":2}' }} />);
    const table = screen.getByRole('table');
    expect(table.classList.contains('table-stacks')).toBe(true);
    expect(table.style.getPropertyValue('--column-2')).toBe('"Before"');
  });
});
