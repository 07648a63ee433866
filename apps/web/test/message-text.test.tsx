import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { MessageText } from '../src/components/chat/message-text';

afterEach(cleanup);

describe('MessageText', () => {
  it('shows HTML in a message literally and adds no element', () => {
    const body = '<img src=x onerror=alert(1)>';
    const { container } = render(
      <p>
        <MessageText body={body} />
      </p>,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('p')?.textContent).toBe(body);
    expect(container.querySelector('p')?.children.length).toBe(0);
  });

  it('keeps script tags and entities as text', () => {
    const body = '<script>alert(1)</script> &amp; <b>bold</b>';
    const { container } = render(
      <p>
        <MessageText body={body} />
      </p>,
    );
    expect(container.querySelector('script, b')).toBeNull();
    expect(container.textContent).toBe(body);
  });

  it('makes http(s) links clickable, opening safely in a new tab', () => {
    render(
      <p>
        <MessageText body="read https://example.com/x now" />
      </p>,
    );
    const link = screen.getByRole('link', { name: 'https://example.com/x' });
    expect(link.getAttribute('href')).toBe('https://example.com/x');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('makes www. and bare domains https links, showing the text as typed', () => {
    render(
      <p>
        <MessageText body="try www.example.com or example.org/a, not notes.txt" />
      </p>,
    );
    const links = screen.getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['www.example.com', 'https://www.example.com/'],
      ['example.org/a', 'https://example.org/a'],
    ]);
    expect(links.every((a) => a.getAttribute('rel') === 'noopener noreferrer')).toBe(true);
  });

  it('never links a javascript: URL', () => {
    const { container } = render(
      <p>
        <MessageText body="javascript:alert(document.cookie)" />
      </p>,
    );
    expect(container.querySelector('a')).toBeNull();
  });
});
