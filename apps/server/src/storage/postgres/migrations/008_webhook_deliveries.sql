-- Protocol v2 section 14: the webhook delivery queue. One row per message and
-- agent still to be POSTed to the agent's webhook_url; it lives here, not in
-- memory, so retries survive restarts (for at least 24 h). A delivered, given
-- up or dropped (410) delivery deletes its row.

CREATE TABLE webhook_deliveries (
  -- The `webhook-id` header: the same for every retry of this delivery.
  id              text PRIMARY KEY,
  agent_id        text NOT NULL REFERENCES users (id),
  -- The exact JSON body that is signed and sent (text, so its bytes never change).
  payload         text NOT NULL,
  -- Attempts made (or under way) so far.
  attempts        integer NOT NULL DEFAULT 0,
  -- When the next attempt is due; a claimed row is pushed to the end of its
  -- lease, so another process takes it again only if this one died sending it.
  next_attempt_at timestamptz NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at);
CREATE INDEX webhook_deliveries_agent ON webhook_deliveries (agent_id);
