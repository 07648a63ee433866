import type { ReactNode } from 'react';
import { linkify } from '../../lib/linkify';
import { splitMentions } from '../../lib/mentions';

/**
 * A message body as TEXT: React text nodes, with http(s) URLs and bare domains (lib/linkify) as
 * links that open in a new tab, and the "@Name" of each person the message mentions highlighted.
 * No HTML from a message ever reaches the DOM (never dangerouslySetInnerHTML).
 */
export function MessageText({
  body,
  linkTabIndex,
  mentionNames,
}: {
  body: string;
  linkTabIndex?: number;
  mentionNames?: readonly string[] | undefined;
}) {
  return (
    <>
      {linkify(body).map((segment, i) =>
        segment.kind === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer" tabIndex={linkTabIndex}>
            {segment.text}
          </a>
        ) : (
          withMentions(segment.text, mentionNames, i)
        ),
      )}
    </>
  );
}

function withMentions(text: string, names: readonly string[] | undefined, key: number): ReactNode {
  if (!names || names.length === 0) return text;
  const parts = splitMentions(text, names);
  if (parts.length === 1 && parts[0]?.kind === 'text') return text;
  return parts.map((part, j) =>
    part.kind === 'mention' ? (
      <span key={`${key}-${j}`} className="mention">
        {part.text}
      </span>
    ) : (
      part.text
    ),
  );
}
