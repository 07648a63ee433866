import type { ChangeOutcome, EndStreamInput, Storage } from '../storage/storage';
import type { Webhooks } from '../webhooks/webhooks';
import type { Publisher } from './publisher';

export interface StreamCompletionDeps {
  storage: Storage;
  publisher: Publisher;
  /** Section 14: a streamed message goes to agents' webhooks once, with its final text. */
  webhooks?: Pick<Webhooks, 'messageFinished'>;
}

/**
 * Every end of a stream comes here, whoever ends it: the sender's `end_stream`,
 * the stop grace, silence, the owning connection's close, the sweep of a dead
 * process's streams, and shutdown (section 14). One storage change (one seq,
 * change `completed`), then `message_updated` to the conversation. What else a
 * finished answer sets off belongs here, once.
 *
 * `stored` runs after the commit and before the broadcast: the owner drops its
 * waiting relay there, so no relay follows the end.
 */
export async function completeStream(
  deps: StreamCompletionDeps,
  input: EndStreamInput,
  stored?: () => void,
): Promise<ChangeOutcome> {
  const outcome = await deps.storage.endStream(input);
  if (outcome.status !== 'changed') return outcome;
  stored?.();
  await deps.publisher.messageUpdated(outcome.message, outcome.change);
  deps.webhooks?.messageFinished(outcome.message);
  return outcome;
}
