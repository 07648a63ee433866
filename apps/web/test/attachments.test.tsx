import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { Attachment } from '@chat/protocol';
import type { ConversationView } from '@chat/client';
import { ChatView } from '../src/components/chat/chat-view';
import type { ChatActions } from '../src/components/chat/chat-actions';
import { fitBox, formatFileSize } from '../src/lib/file-size';
import { messagePreview } from '../src/lib/message-preview';
import { BOB, CONVERSATION, ME, msg, pending, uuid } from './fixtures';

afterEach(cleanup);

function photo(n: number, name: string, width = 1200, height = 800): Attachment {
  return {
    id: uuid(900 + n),
    name,
    mime_type: 'image/jpeg',
    size: 1000,
    width,
    height,
    url: `/api/attachments/${uuid(900 + n)}?sig=a`,
    thumbnail_url: `/api/attachments/${uuid(900 + n)}/thumbnail?sig=a`,
  };
}

const notes: Attachment = {
  id: uuid(999),
  name: 'notes.pdf',
  mime_type: 'application/pdf',
  size: 2_411_724,
  width: null,
  height: null,
  url: `/api/attachments/${uuid(999)}?sig=b`,
  thumbnail_url: null,
};

function renderChat(extra: Partial<ConversationView>): ChatActions {
  const actions: ChatActions = {
    send: vi.fn(),
    typing: vi.fn(),
    markRead: vi.fn(),
    edit: vi.fn(),
    unsend: vi.fn(),
    react: vi.fn(),
    retry: vi.fn(),
    loadOlder: vi.fn(),
  };
  const view: ConversationView = {
    conversationId: CONVERSATION,
    joined: true,
    messages: [],
    pending: [],
    members: [],
    typingUserIds: [],
    lastSeq: 0,
    hasMoreBefore: false,
    streams: {},
    agentStatuses: [],
    error: null,
    ...extra,
  };
  render(
    <ChatView
      view={view}
      me={{ id: ME, display_name: 'Ada Lovelace' }}
      title="Bob Marley"
      isGroup={false}
      status="open"
      actions={actions}
      loadingOlder={false}
      now={new Date(2025, 5, 18, 12, 0)}
    />,
  );
  return actions;
}

function paste(files: File[]) {
  fireEvent.paste(screen.getByRole('textbox', { name: 'Message' }), { clipboardData: { files } });
}

describe('the composer with files', () => {
  it('pasted files show as removable previews and go with the message, which may have no text', () => {
    const actions = renderChat({});
    paste([
      new File(['x'], 'a.txt', { type: 'text/plain' }),
      new File(['y'], 'b.txt', { type: 'text/plain' }),
    ]);
    const list = screen.getByRole('list', { name: 'Attachments' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Remove a.txt' }));
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(actions.send).toHaveBeenCalledWith('', null, [], [expect.objectContaining({ name: 'b.txt' })]);
    expect(screen.queryByRole('list', { name: 'Attachments' })).toBeNull();
  });

  it('a file over 25 MB is refused with the reason, and the message cannot go until it is removed', () => {
    const actions = renderChat({});
    const big = new File(['x'], 'movie.mov');
    Object.defineProperty(big, 'size', { value: 30 * 1024 * 1024 });
    paste([big]);
    expect(screen.getByRole('alert').textContent).toBe('movie.mov is too big. Files can be up to 25 MB.');
    const sendButton = screen.getByRole('button', { name: 'Send' });
    expect((sendButton as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove movie.mov' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(actions.send).not.toHaveBeenCalled();
  });
});

describe('files in messages', () => {
  it('one photo at its aspect ratio, several in a grid, files as download cards; the viewer moves with arrows', () => {
    renderChat({
      messages: [
        msg(1, BOB, '', 0, { attachments: [photo(1, 'wide.jpg')] }),
        msg(2, BOB, 'two', 1, { attachments: [photo(2, 'a.jpg'), photo(3, 'b.jpg', 600, 900), notes] }),
      ],
    });
    const wide = screen.getByRole('button', { name: 'Open photo wide.jpg' });
    expect(wide.style.aspectRatio).toBe('240 / 160');
    const image = within(wide).getByRole('img', { name: 'wide.jpg' });
    expect(image.getAttribute('src')).toContain('/thumbnail?');
    const card = screen.getByRole('link', { name: 'Download notes.pdf, 2.3 MB' });
    expect(card.getAttribute('download')).toBe('notes.pdf');
    expect(screen.getByRole('article', { name: /: 1 photo/ })).toBeTruthy();

    const opener = screen.getByRole('button', { name: 'Open photo a.jpg' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'a.jpg 1 of 2' });
    expect(within(dialog).getByRole('img', { name: 'a.jpg' }).getAttribute('src')).toBe(
      photo(2, 'a.jpg').url,
    );
    fireEvent.keyDown(document, { key: 'ArrowRight' });
    expect(screen.getByRole('dialog', { name: 'b.jpg 2 of 2' })).toBeTruthy();
    fireEvent.keyDown(document, { key: 'ArrowRight' });
    expect(screen.getByRole('dialog', { name: 'a.jpg 1 of 2' })).toBeTruthy();
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('a pending message shows each file with its upload progress, and why it waits with Retry', () => {
    const waiting = {
      ...pending(1, 'look', 0),
      attachments: [{ local_id: 'l1', name: 'doc.txt', type: 'text/plain', size: 10, progress: 0.4 }],
    };
    const offline = {
      ...pending(2, 'later', 1),
      attachments: [{ local_id: 'l2', name: 'x.txt', type: 'text/plain', size: 10 }],
      error: { code: 'network', message: 'offline' },
    };
    const tooBig = {
      ...pending(3, 'big', 2, 'failed'),
      attachments: [{ local_id: 'l3', name: 'y.bin', type: '', size: 10 }],
      error: { code: 'too_large', message: '413' },
    };
    const actions = renderChat({ pending: [waiting, offline, tooBig] });
    const bar = screen.getByRole('progressbar', { name: 'Uploading doc.txt' });
    expect((bar as HTMLProgressElement).value).toBeCloseTo(0.4);
    expect(screen.getByText(/Upload paused: you are offline/)).toBeTruthy();
    expect(screen.getByText(/Not Delivered: Files can be up to 25 MB/)).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Retry' })[0]!);
    expect(actions.retry).toHaveBeenCalledWith(offline.client_id);
  });
});

describe('helpers', () => {
  it('sizes, boxes and list previews', () => {
    expect(formatFileSize(25)).toBe('25 bytes');
    expect(formatFileSize(14_000)).toBe('14 KB');
    expect(formatFileSize(30 * 1024 * 1024)).toBe('30 MB');
    expect(fitBox(1200, 800, 240, 320)).toEqual({ width: 240, height: 160 });
    expect(fitBox(600, 900, 240, 320)).toEqual({ width: 213, height: 320 });
    expect(messagePreview(msg(1, BOB, '', 0, { attachments: [photo(1, 'a.jpg')] }), ME)).toBe('Photo');
    expect(messagePreview(msg(1, BOB, '', 0, { attachments: [notes] }), ME)).toBe('Attachment: notes.pdf');
    expect(messagePreview(msg(1, BOB, 'hi', 0, { attachments: [notes] }), ME)).toBe('hi');
  });
});
