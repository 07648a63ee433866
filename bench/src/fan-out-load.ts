import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@chat/protocol';
import { DeliveryLedger, type LedgerCounts } from './ledger';
import type { LatencySummary } from './latency';
import { paceOpenLoop } from './pacing';
import { CpuMeter, type CpuUse } from './proc-stats';
import { mapLimit } from './provision';
import { RawClient } from './raw-client';

/** One socket of the load: who it is and the conversation it joins. */
export interface Member {
  token: string;
  conversationId: string;
}

export interface FanOutResult {
  ratePerConnection: number;
  offeredRate: number;
  /** Sends per second actually achieved by the generator. */
  sendRate: number;
  /** `message` frames received per second, own copies included. */
  deliveredPerSec: number;
  endToEnd: LatencySummary;
  ack: LatencySummary;
  counts: LedgerCounts;
  /** Fraction of one core used by the server and by the bench during the step. */
  cpu: CpuUse;
}

/** How long a step waits after its last send for the acks and deliveries still on their way. */
const DRAIN_TIMEOUT_MS = 15_000;

/**
 * The fan-out load shape: one socket per member, each joined to its group's
 * conversation, every socket sending at the same modest rate; each message is
 * expected once at every member of its group (its sender included), in seq order.
 * Target-agnostic: the chat server and the bare-ws ceiling speak the same frames.
 */
export class FanOutLoad {
  private ledger = new DeliveryLedger();
  private readonly body: string;

  private constructor(
    private readonly clients: RawClient[],
    private readonly members: readonly Member[],
    private readonly groupSizes: Map<string, number>,
    private readonly serverPid: number,
    bodyLength: number,
  ) {
    this.body = 'x'.repeat(bodyLength);
  }

  /**
   * Opens, authenticates and joins every member's socket, `concurrency`
   * handshakes at a time; `wsUrl` may pick a server per member (several processes).
   */
  static async connect(
    wsUrl: string | ((memberIndex: number) => string),
    members: readonly Member[],
    serverPid: number,
    options: { concurrency: number; bodyLength: number },
  ): Promise<FanOutLoad> {
    const groupSizes = new Map<string, number>();
    for (const member of members) {
      groupSizes.set(member.conversationId, (groupSizes.get(member.conversationId) ?? 0) + 1);
    }
    const lastSeqs: number[] = [];
    const clients = await mapLimit(members, options.concurrency, async (member, index) => {
      const client = await RawClient.open(typeof wsUrl === 'string' ? wsUrl : wsUrl(index));
      const joined = await client.authenticateAndJoin(member.token, member.conversationId);
      lastSeqs[index] = joined.last_seq;
      return client;
    });
    const load = new FanOutLoad(clients, members, groupSizes, serverPid, options.bodyLength);
    clients.forEach((client, index) => load.listen(client, index, lastSeqs[index] ?? 0));
    return load;
  }

  private listen(client: RawClient, index: number, joinedSeq: number): void {
    let lastSeq = joinedSeq;
    client.onFrame = (frame: ServerFrame, at: number) => {
      switch (frame.type) {
        case 'message':
          if (frame.message.seq !== lastSeq + 1) this.ledger.orderViolation();
          lastSeq = frame.message.seq;
          this.ledger.delivery(frame.message.client_id ?? '', index, at);
          return;
        case 'message_ack':
          this.ledger.ack(frame.client_id, at);
          return;
        case 'error':
          this.ledger.error(frame.code);
          return;
        default:
          return; // presence and the like
      }
    };
  }

  /** One step: every socket sends `ratePerConnection` msg/s for `durationSec`, then the books are drained. */
  async run(ratePerConnection: number, durationSec: number): Promise<FanOutResult> {
    this.ledger = new DeliveryLedger();
    const ledger = this.ledger;
    const count = this.clients.length;
    // A fixed shuffled order spreads each tick's sends across conversations.
    const order = shuffle(Array.from({ length: count }, (_, index) => index));
    const offeredRate = ratePerConnection * count;
    const cpu = new CpuMeter(this.serverPid);
    const start = performance.now();
    const sendSec = await paceOpenLoop(offeredRate, durationSec, (sendIndex) => {
      const index = order[sendIndex % count] as number;
      const member = this.members[index] as Member;
      const clientId = randomUUID();
      ledger.sent(clientId, index, this.groupSizes.get(member.conversationId) ?? 0);
      (this.clients[index] as RawClient).send({
        type: 'send_message',
        conversation_id: member.conversationId,
        client_id: clientId,
        body: this.body,
      });
    });
    await ledger.drain(DRAIN_TIMEOUT_MS, () => this.closedByServer === count);
    const usage = cpu.read();
    const counts = ledger.counts();
    const spanSec = Math.max(sendSec, (ledger.lastArrival - start) / 1000);
    return {
      ratePerConnection,
      offeredRate,
      sendRate: counts.sent / sendSec,
      deliveredPerSec: counts.delivered / spanSec,
      endToEnd: ledger.endToEnd.summary(),
      ack: ledger.ackLatency.summary(),
      counts,
      cpu: usage,
    };
  }

  /** Sockets the server closed during the load (a real failure). */
  get closedByServer(): number {
    return this.clients.filter((client) => client.closeCode !== null).length;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}
