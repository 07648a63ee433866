import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { Agent, CreateAgentRequest, UpdateAgentRequest } from '@chat/protocol';
import { AgentsDialog } from '../src/features/agents/agents-dialog';
import type { AgentsApi } from '../src/features/agents/agents-api';
import { ME, uuid } from './fixtures';

afterEach(cleanup);

function agent(n: number, extra: Partial<Agent> = {}): Agent {
  return {
    id: uuid(n),
    email: null,
    display_name: `Helper ${n}`,
    is_agent: true,
    owner_id: ME,
    description: null,
    public: false,
    webhook_url: null,
    webhook_active: true,
    created_at: new Date(2025, 5, 18).toISOString(),
    ...extra,
  };
}

/** An owner's agents kept in memory, answering as the server does (a 400's reason for a bad URL). */
function fakeApi(initial: Agent[] = []) {
  let agents = [...initial];
  let keys = 0;
  const api: AgentsApi = {
    list: vi.fn(() => Promise.resolve([...agents])),
    create: vi.fn((request: CreateAgentRequest) => {
      const created = agent(100 + agents.length, {
        display_name: request.display_name,
        description: request.description ?? null,
        public: request.public ?? false,
      });
      agents.push(created);
      return Promise.resolve({ agent: created, api_key: 'chat_ak_first', webhook_secret: 'whsec_c2VjcmV0' });
    }),
    update: vi.fn((id: string, request: UpdateAgentRequest) => {
      if (request.webhook_url?.includes('127.0.0.1')) {
        return Promise.reject(new Error('webhook_url resolves to a private address'));
      }
      const found = agents.find((a) => a.id === id);
      if (!found) return Promise.reject(new Error('not found'));
      const updated = { ...found, ...request } as Agent;
      agents = agents.map((a) => (a.id === id ? updated : a));
      return Promise.resolve(updated);
    }),
    remove: vi.fn((id: string) => {
      agents = agents.filter((a) => a.id !== id);
      return Promise.resolve();
    }),
    rotateKey: vi.fn(() => {
      keys += 1;
      return Promise.resolve(`chat_ak_rotated${keys}`);
    }),
  };
  return api;
}

async function open(api: AgentsApi) {
  const onClose = vi.fn();
  render(<AgentsDialog api={api} onClose={onClose} />);
  const dialog = screen.getByRole('dialog', { name: 'Agents' });
  await waitFor(() => expect(within(dialog).queryByText('Loading…')).toBeNull());
  return { dialog, onClose };
}

describe('Agents screen (section 14)', () => {
  it('lists my agents, each with the AI badge and whether it is public', async () => {
    const { dialog } = await open(
      fakeApi([agent(1, { public: true, description: 'Answers questions' }), agent(2)]),
    );
    const list = within(dialog).getByRole('list', { name: 'Your agents' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole('article', { name: 'Helper 1' })).toBeTruthy();
    expect(within(items[0]!).getByRole('img', { name: 'AI agent' })).toBeTruthy();
    expect(within(items[0]!).getByText('Public: anyone can add it')).toBeTruthy();
    expect(within(items[0]!).getByText('Answers questions')).toBeTruthy();
    expect(within(items[1]!).getByText('Private: only you can add it')).toBeTruthy();
  });

  it('creates an agent and shows its key and webhook secret once, with Copy', async () => {
    const api = fakeApi();
    const { dialog } = await open(api);
    expect(within(dialog).getByText('You have no agents yet.')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create agent' }));
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Display name' }), {
      target: { value: 'Assistant' },
    });
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Description' }), {
      target: { value: 'Answers in the team chat' },
    });
    const publicSwitch = within(dialog).getByRole('switch', { name: 'Public' });
    expect(publicSwitch.getAttribute('aria-checked')).toBe('false');
    fireEvent.click(publicSwitch);
    expect(publicSwitch.getAttribute('aria-checked')).toBe('true');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
      await Promise.resolve();
    });
    expect(api.create).toHaveBeenCalledWith({
      display_name: 'Assistant',
      description: 'Answers in the team chat',
      public: true,
    });

    const reveal = within(dialog).getByRole('region', { name: 'Assistant is ready' });
    expect(within(reveal).getByText(/you will not see it again/u)).toBeTruthy();
    expect((within(reveal).getByRole('textbox', { name: 'API key' }) as HTMLInputElement).value).toBe(
      'chat_ak_first',
    );
    expect((within(reveal).getByRole('textbox', { name: 'Webhook secret' }) as HTMLInputElement).value).toBe(
      'whsec_c2VjcmV0',
    );
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    await act(async () => {
      fireEvent.click(within(reveal).getByRole('button', { name: 'Copy API key' }));
      await Promise.resolve();
    });
    expect(writeText).toHaveBeenCalledWith('chat_ak_first');
    expect(within(reveal).getByText('Copied')).toBeTruthy();

    // Once put away, the key is gone from the screen; the agent stays listed.
    fireEvent.click(within(reveal).getByRole('button', { name: 'I saved it' }));
    expect(within(dialog).queryByRole('region', { name: 'Assistant is ready' })).toBeNull();
    expect(within(dialog).queryByDisplayValue('chat_ak_first')).toBeNull();
    expect(within(dialog).getByRole('article', { name: 'Assistant' })).toBeTruthy();
  });

  it('says the server’s reason when creating fails', async () => {
    const api = fakeApi();
    vi.mocked(api.create).mockRejectedValueOnce(new Error('display_name must not be blank'));
    const { dialog } = await open(api);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create agent' }));
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Display name' }), {
      target: { value: 'X' },
    });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
      await Promise.resolve();
    });
    expect(within(dialog).getByRole('alert').textContent).toBe('display_name must not be blank');
  });

  it('rotates a key only after confirming, and shows the new key once', async () => {
    const api = fakeApi([agent(1)]);
    const { dialog } = await open(api);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate key of Helper 1' }));
    const confirm = within(dialog).getByRole('alertdialog', { name: 'Rotate the key of Helper 1?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(api.rotateKey).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate key of Helper 1' }));
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate' }));
      await Promise.resolve();
    });
    expect(api.rotateKey).toHaveBeenCalledWith(agent(1).id);
    const reveal = within(dialog).getByRole('region', { name: 'New key for Helper 1' });
    expect((within(reveal).getByRole('textbox', { name: 'API key' }) as HTMLInputElement).value).toBe(
      'chat_ak_rotated1',
    );
  });

  it('sets and removes the webhook URL, and shows the server’s 400 reason', async () => {
    const api = fakeApi([agent(1)]);
    const { dialog } = await open(api);
    const url = within(dialog).getByRole('textbox', { name: 'Webhook URL' });
    fireEvent.change(url, { target: { value: 'http://127.0.0.1:9/hook' } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save webhook' }));
      await Promise.resolve();
    });
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'webhook_url resolves to a private address',
    );

    fireEvent.change(url, { target: { value: 'https://hooks.example.com/chat' } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save webhook' }));
      await Promise.resolve();
    });
    expect(api.update).toHaveBeenLastCalledWith(agent(1).id, {
      webhook_url: 'https://hooks.example.com/chat',
    });
    expect(await within(dialog).findByText('Webhook saved.')).toBeTruthy();
    expect(within(dialog).queryByRole('alert')).toBeNull();

    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Remove webhook' }));
      await Promise.resolve();
    });
    expect(api.update).toHaveBeenLastCalledWith(agent(1).id, { webhook_url: null });
    expect(await within(dialog).findByText('Webhook removed.')).toBeTruthy();
    expect((url as HTMLInputElement).value).toBe('');
    expect(within(dialog).queryByRole('button', { name: 'Remove webhook' })).toBeNull();
  });

  it('deletes an agent after confirming', async () => {
    const api = fakeApi([agent(1), agent(2)]);
    const { dialog } = await open(api);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Helper 1' }));
    const confirm = within(dialog).getByRole('alertdialog', { name: 'Delete Helper 1?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await act(async () => {
      fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
      await Promise.resolve();
    });
    expect(api.remove).toHaveBeenCalledWith(agent(1).id);
    await waitFor(() => expect(within(dialog).queryByRole('article', { name: 'Helper 1' })).toBeNull());
    expect(within(dialog).getAllByRole('article')).toHaveLength(1);
  });

  it('keeps a shown secret open through Escape and a click outside; only "I saved it" or Done closes', async () => {
    const { dialog, onClose } = await open(fakeApi([agent(1)]));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate key of Helper 1' }));
    await act(async () => {
      fireEvent.click(
        within(within(dialog).getByRole('alertdialog')).getByRole('button', { name: 'Rotate' }),
      );
      await Promise.resolve();
    });
    const reveal = await within(dialog).findByRole('region', { name: 'New key for Helper 1' });
    fireEvent.keyDown(document, { key: 'Escape' });
    fireEvent.pointerDown(dialog.parentElement!);
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.click(within(reveal).getByRole('button', { name: 'I saved it' }));
    fireEvent.pointerDown(dialog.parentElement!);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('closes with Done and with Escape (not while a question is open)', async () => {
    const { dialog, onClose } = await open(fakeApi([agent(1)]));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete Helper 1' }));
    fireEvent.keyDown(within(dialog).getByRole('alertdialog'), { key: 'Escape' });
    expect(within(dialog).queryByRole('alertdialog')).toBeNull();
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
