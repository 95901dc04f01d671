import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { ConfirmDialog } from './ConfirmDialog';

afterEach(cleanup);

function Harness({
  onConfirm,
  error,
  typeToConfirm,
}: {
  onConfirm: () => void;
  error?: unknown;
  typeToConfirm?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Refresh cache
      </button>
      <ConfirmDialog
        open={open}
        title="Refresh the cache for user_1?"
        confirmLabel="Refresh cache"
        onConfirm={onConfirm}
        onCancel={() => setOpen(false)}
        error={error}
        {...(typeToConfirm !== undefined && { typeToConfirm })}
      >
        <p>2 keys will be written.</p>
      </ConfirmDialog>
    </>
  );
}

describe('ConfirmDialog', () => {
  it('asks before acting: focus on its question, the action-named button confirms, Cancel closes without acting', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Refresh cache' }));
    const dialog = screen.getByRole('dialog', { name: 'Refresh the cache for user_1?' });
    expect(dialog.textContent).toContain('2 keys will be written.');
    expect(document.activeElement).toBe(
      within(dialog).getByRole('heading', { name: 'Refresh the cache for user_1?' }),
    );

    await user.click(within(dialog).getByRole('button', { name: 'Refresh cache' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('shows why the last attempt failed', async () => {
    const user = userEvent.setup();
    render(
      <Harness
        onConfirm={vi.fn()}
        error={new ApiError(409, 'STATUS_EXISTS', 'A webhook status arrived meanwhile; nothing was written.')}
      />,
    );
    await user.click(screen.getByRole('button', { name: 'Refresh cache' }));
    expect(screen.getByRole('alert').textContent).toBe(
      'A webhook status arrived meanwhile; nothing was written.',
    );
  });

  it('with typeToConfirm, confirms only once the text is typed, and asks again next time', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} typeToConfirm="12" />);
    await user.click(screen.getByRole('button', { name: 'Refresh cache' }));
    const apply = within(screen.getByRole('dialog')).getByRole('button', {
      name: 'Refresh cache',
    }) as HTMLButtonElement;
    expect(apply.disabled).toBe(true);
    const typed = screen.getByRole('textbox', { name: 'Type 12 to confirm' });
    await user.type(typed, '1');
    expect(apply.disabled).toBe(true);
    await user.type(typed, '2');
    expect(apply.disabled).toBe(false);
    await user.click(apply);
    expect(onConfirm).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getAllByRole('button', { name: 'Refresh cache' })[0] as HTMLElement);
    expect((screen.getByRole('textbox', { name: 'Type 12 to confirm' }) as HTMLInputElement).value).toBe('');
    expect(apply.disabled).toBe(true);
  });
});
