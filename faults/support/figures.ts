import { expect } from 'vitest';
import type { StorageView, World } from './world';

/**
 * The figures every scenario prints and asserts, computed from ALL the sends
 * the clients made (their client_ids), what the server stored, what each
 * client holds and what came over each client's sockets:
 *
 * - sent: `send()` calls; acked: client_ids that got a `message_ack`;
 *   stored: messages in storage.
 * - delivered: per client, messages held in its views (`20x400`: twenty
 *   clients holding 400 each).
 * - lost: sends that never landed in storage, plus stored messages missing
 *   from a client's view (per client).
 * - doubled: a body (each is unique) stored twice, an id held twice by a
 *   client (same client_id, two ids), or one id pushed twice in `message`
 *   frames to one client.
 * - reordered: a client's view whose seq order differs from storage's, plus a
 *   sender's messages stored out of the order it sent them.
 * - gaps: conversations whose seqs are not 1..n.
 */
export interface Figures {
  sent: number;
  acked: number;
  stored: number;
  delivered: string;
  lost: number;
  doubled: number;
  reordered: number;
  gaps: number;
  /** Sends still in an outbox at the end. */
  pending: number;
  /** The first few problems, in words, for the assertion message. */
  problems: string[];
}

export function computeFigures(world: World, storage: StorageView, who = world.participants): Figures {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 20) problems.push(problem);
  };
  const stored = [...storage.values()].flat();
  const sentIds = new Set(world.sends.map((send) => send.clientId));
  const storedByClientId = new Map(stored.map((message) => [message.client_id, message]));
  const acked = world.ackedIds();

  let lost = 0;
  for (const send of world.sends) {
    if (storedByClientId.has(send.clientId)) continue;
    lost++;
    note(`${send.body} (${send.clientId}) ${acked.has(send.clientId) ? 'ACKED but' : 'sent but'} not stored`);
  }
  for (const message of stored) {
    if (!sentIds.has(message.client_id)) note(`stored ${message.id} "${message.body}" was never sent`);
  }

  let doubled = 0;
  const bodies = new Map<string, number>();
  for (const message of stored) bodies.set(message.body, (bodies.get(message.body) ?? 0) + 1);
  for (const [body, count] of bodies) {
    if (count < 2) continue;
    doubled += count - 1;
    note(`"${body}" stored ${count} times`);
  }

  let reordered = 0;
  const holdings: number[] = [];
  for (const participant of who) {
    let held = 0;
    for (const [conversationId, messages] of storage) {
      const view = participant.client.getConversation(conversationId).messages;
      held += view.length;
      const viewById = new Map(view.map((message) => [message.id, message]));
      const clientIds = new Set<string>();
      for (const message of view) {
        // System messages have no client id: only sends can be doubled.
        if (message.client_id === null) continue;
        if (clientIds.has(message.client_id)) {
          doubled++;
          note(`client ${participant.index} holds client_id ${message.client_id} twice`);
        }
        clientIds.add(message.client_id);
      }
      for (const message of messages) {
        const mine = viewById.get(message.id);
        if (!mine) {
          lost++;
          note(`client ${participant.index} never got seq ${message.seq} of ${conversationId}`);
        } else if (mine.seq !== message.seq) {
          reordered++;
          note(
            `client ${participant.index} holds ${message.id} at seq ${mine.seq}, storage at ${message.seq}`,
          );
        }
      }
    }
    holdings.push(held);
    for (const tap of participant.taps) {
      for (const [id, count] of tap.messageFrames) {
        if (count < 2) continue;
        doubled += count - 1;
        note(`client ${participant.index} was pushed message ${id} ${count} times`);
      }
    }
  }

  // Each sender's messages to a conversation are stored in the order it sent them.
  const lastSeq = new Map<string, number>();
  for (const send of world.sends) {
    const message = storedByClientId.get(send.clientId);
    if (!message) continue;
    const key = `${send.participant}/${send.conversationId}`;
    if (message.seq < (lastSeq.get(key) ?? 0)) {
      reordered++;
      note(`${send.body} stored at seq ${message.seq}, before an earlier send of the same client`);
    }
    lastSeq.set(key, Math.max(lastSeq.get(key) ?? 0, message.seq));
  }

  let gaps = 0;
  for (const [conversationId, messages] of storage) {
    if (messages.every((message, index) => message.seq === index + 1)) continue;
    gaps++;
    note(`conversation ${conversationId} seqs are not 1..${messages.length}`);
  }

  let pending = 0;
  for (const participant of who)
    for (const id of world.conversationIds) pending += participant.client.getConversation(id).pending.length;

  return {
    sent: world.sends.length,
    acked: [...sentIds].filter((id) => acked.has(id)).length,
    stored: stored.length,
    delivered: groupCounts(holdings),
    lost,
    doubled,
    reordered,
    gaps,
    pending,
    problems,
  };
}

/** `20x400`, or `19x400+1x399` when they differ. */
function groupCounts(counts: number[]): string {
  const groups = new Map<number, number>();
  for (const count of counts) groups.set(count, (groups.get(count) ?? 0) + 1);
  return [...groups]
    .sort((a, b) => b[0] - a[0])
    .map(([count, clients]) => `${clients}x${count}`)
    .join('+');
}

/** Prints `faults[name]: sent=... acked=... ...` and the extras given, on one line. */
export function report(name: string, figures: Figures, extras: Record<string, string | number> = {}): void {
  const { sent, acked, stored, delivered, lost, doubled, reordered } = figures;
  const fields = { sent, acked, stored, delivered, lost, doubled, reordered, ...extras };
  const line = Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  print(`faults[${name}]: ${line}`);
  if (figures.problems.length > 0) print(`faults[${name}] problems:\n  ${figures.problems.join('\n  ')}`);
}

export function print(line: string): void {
  // The figures are the point of this suite: they go to the test output.
  // eslint-disable-next-line no-console
  console.log(line);
}

/** lost = doubled = reordered = 0, no gaps, nothing left pending, every client holding all of storage. */
export function expectClean(figures: Figures): void {
  expect(
    {
      lost: figures.lost,
      doubled: figures.doubled,
      reordered: figures.reordered,
      gaps: figures.gaps,
      pending: figures.pending,
      problems: figures.problems,
    },
    'the figures of the scenario',
  ).toEqual({ lost: 0, doubled: 0, reordered: 0, gaps: 0, pending: 0, problems: [] });
}

/** p-th percentile (0-100) of a list of numbers, 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
