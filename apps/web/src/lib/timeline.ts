import type { Message } from '@chat/protocol';
import type { PendingMessage } from '@chat/client';
import { isSameDay } from './format-time';

/** A gap this long inside one day gets a time separator and starts a new bubble group. */
export const TIME_BREAK_MS = 15 * 60 * 1000;

/** Where a bubble sits in a run of consecutive bubbles of one sender; the tail goes on single and last. */
export type BubblePosition = 'single' | 'first' | 'middle' | 'last';

/** A stored message, or a send the server has not acknowledged yet. */
export type ChatEntry = { kind: 'stored'; message: Message } | { kind: 'pending'; pending: PendingMessage };

export type TimelineItem =
  /** A new day: "Today 9:41 AM". */
  | { kind: 'day'; key: string; date: Date }
  /** A long pause inside a day: "9:41 AM". */
  | { kind: 'time'; key: string; date: Date }
  /** "You unsent a message" / "NAME unsent a message". */
  | { kind: 'unsent'; key: string; message: Message; mine: boolean }
  /** A change to the conversation, as a centred grey line ("Ada added Grace"). */
  | { kind: 'system'; key: string; message: Message }
  /** "New messages": above the first message that was unread when the conversation opened. */
  | { kind: 'unread'; key: string }
  | {
      kind: 'bubble';
      key: string;
      entry: ChatEntry;
      senderId: string;
      mine: boolean;
      position: BubblePosition;
      /** Name above the bubble: groups only, others' messages, first of a run. */
      showSender: boolean;
    };

export interface TimelineInput {
  messages: readonly Message[];
  pending: readonly PendingMessage[];
  myUserId: string;
  isGroup: boolean;
  /** The seq the "New messages" divider goes above (null or absent: none). */
  firstUnreadSeq?: number | null;
}

interface Row {
  key: string;
  entry: ChatEntry;
  senderId: string;
  date: Date;
  deleted: boolean;
  system: boolean;
  isReply: boolean;
}

function rows(input: TimelineInput): Row[] {
  const stored: Row[] = input.messages.map((message) => ({
    key: message.id,
    entry: { kind: 'stored', message },
    senderId: message.sender_id,
    date: new Date(message.created_at),
    deleted: message.deleted_at !== null,
    system: message.kind === 'system',
    isReply: message.reply_to !== null,
  }));
  const storedClientIds = new Set(input.messages.map((m) => m.client_id));
  const pending: Row[] = input.pending
    .filter((p) => !storedClientIds.has(p.client_id))
    .map((p) => ({
      key: `pending:${p.client_id}`,
      entry: { kind: 'pending', pending: p },
      senderId: input.myUserId,
      date: new Date(p.created_at),
      deleted: false,
      system: false,
      isReply: p.reply_to !== null,
    }));
  return [...stored, ...pending];
}

/**
 * Turns messages (seq order) and pending sends (oldest first, shown after them) into what the
 * chat window draws: day and time separators, unsent notices, system lines, the "New messages"
 * divider, and bubbles grouped by sender.
 */
export function buildTimeline(input: TimelineInput): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous: Row | null = null;
  // Index in `items` of the bubble that may continue the current run.
  let runTail = -1;
  let dividerPlaced = false;

  for (const row of rows(input)) {
    let separated = false;
    if (previous === null || !isSameDay(previous.date, row.date)) {
      items.push({ kind: 'day', key: `day:${row.key}`, date: row.date });
      separated = true;
    } else if (row.date.getTime() - previous.date.getTime() >= TIME_BREAK_MS) {
      items.push({ kind: 'time', key: `time:${row.key}`, date: row.date });
      separated = true;
    }
    const mine = row.senderId === input.myUserId;
    const firstUnread =
      !dividerPlaced &&
      row.entry.kind === 'stored' &&
      input.firstUnreadSeq !== null &&
      input.firstUnreadSeq !== undefined &&
      row.entry.message.seq >= input.firstUnreadSeq;
    if (firstUnread) {
      dividerPlaced = true;
      items.push({ kind: 'unread', key: 'unread-divider' });
      separated = true;
    }

    if (row.system && row.entry.kind === 'stored') {
      items.push({ kind: 'system', key: row.key, message: row.entry.message });
      runTail = -1;
      previous = row;
      continue;
    }

    if (row.deleted && row.entry.kind === 'stored') {
      items.push({ kind: 'unsent', key: row.key, message: row.entry.message, mine });
      runTail = -1;
      previous = row;
      continue;
    }

    const tail = runTail >= 0 ? items[runTail] : undefined;
    const continues = !separated && !row.isReply && tail?.kind === 'bubble' && tail.senderId === row.senderId;
    if (continues && tail.kind === 'bubble') {
      tail.position = tail.position === 'single' ? 'first' : 'middle';
    }
    items.push({
      kind: 'bubble',
      key: row.key,
      entry: row.entry,
      senderId: row.senderId,
      mine,
      position: continues ? 'last' : 'single',
      showSender: input.isGroup && !mine && !continues,
    });
    runTail = items.length - 1;
    previous = row;
  }
  return items;
}

/** Whether a bubble in this position carries the tail. */
export function hasTail(position: BubblePosition): boolean {
  return position === 'single' || position === 'last';
}
