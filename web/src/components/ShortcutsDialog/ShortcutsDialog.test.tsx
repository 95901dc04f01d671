import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../api/token';
import { renderApp, resetTestEnvironment, signedInRoutes, stubFetch } from '../../test/app';

beforeEach(() => setToken('staff-token-123'));
afterEach(resetTestEnvironment);

describe('keyboard shortcuts', () => {
  it('? lists every shortcut; Close hides the list', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    await screen.findByRole('combobox', { name: 'Search' });
    expect(screen.queryByRole('dialog')).toBeNull();

    await user.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const key of ['/', 'Enter', 'Esc', '?']) {
      expect(within(dialog).getByText(key, { selector: 'kbd' })).toBeTruthy();
    }
    expect(within(dialog).getByText('Focus the Search box')).toBeTruthy();

    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('the header button opens the same list', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    await user.click(await screen.findByRole('button', { name: 'Keyboard shortcuts' }));
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeTruthy();
  });

  it('? typed into a field is text, not a shortcut', async () => {
    stubFetch(signedInRoutes);
    const { user } = renderApp('/status');
    const search = await screen.findByRole('combobox', { name: 'Search' });
    await user.type(search, 'who?');
    expect((search as HTMLInputElement).value).toBe('who?');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
