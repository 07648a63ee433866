-- Protocol v2 section 13: Web Push subscriptions. One row per push endpoint (a
-- browser's push channel): subscribing the same endpoint again replaces it, and
-- moves it to whoever subscribed it last. A push service answering 404 or 410
-- deletes the row.

CREATE TABLE push_subscriptions (
  endpoint   TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  -- The subscription's keys (base64url): its P-256 public key and auth secret.
  p256dh     TEXT NOT NULL,
  auth       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
