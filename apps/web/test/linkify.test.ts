import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from '../src/lib/linkify';

describe('linkify', () => {
  it('keeps plain text as one text segment', () => {
    expect(linkify('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
  });

  it('turns http and https URLs into links', () => {
    expect(linkify('see https://example.com/a?b=1 and http://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ]);
  });

  it('leaves sentence punctuation and unbalanced brackets outside the link', () => {
    expect(linkify('go to https://example.com.')).toEqual([
      { kind: 'text', text: 'go to ' },
      { kind: 'link', text: 'https://example.com', href: 'https://example.com/' },
      { kind: 'text', text: '.' },
    ]);
    expect(linkify('(https://example.com/x)')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'https://example.com/x', href: 'https://example.com/x' },
      { kind: 'text', text: ')' },
    ]);
    const wiki = linkify('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(wiki).toEqual([
      {
        kind: 'link',
        text: 'https://en.wikipedia.org/wiki/Foo_(bar)',
        href: 'https://en.wikipedia.org/wiki/Foo_(bar)',
      },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.com/file',
      'mailto:a@b.c',
      'vbscript:msgbox',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not let a quote or angle bracket into a link', () => {
    const segments = linkify('<a href="https://evil.example/">x</a>');
    const links = segments.filter((s) => s.kind === 'link');
    expect(links).toEqual([{ kind: 'link', text: 'https://evil.example/', href: 'https://evil.example/' }]);
    expect(segments.map((s) => s.text).join('')).toBe('<a href="https://evil.example/">x</a>');
  });

  it('keeps HTML as text, character for character', () => {
    const body = '<img src=x onerror=alert(1)>';
    expect(linkify(body)).toEqual([{ kind: 'text', text: body }]);
  });

  it('ignores a bare scheme with no host', () => {
    expect(linkify('https:// nothing')).toEqual([{ kind: 'text', text: 'https:// nothing' }]);
  });

  it('rebuilds the original text exactly', () => {
    const text = 'a https://x.io/p, b (http://y.io) c https://z.io/?q=1!';
    expect(
      linkify(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(text);
  });
});

describe('safeHref', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});
