-- Sanctum control database: the control app's tables and the chat bridge's tables.
-- Every statement is idempotent: ChatBridge runs this file on every start, after it has brought
-- chat tables of an older shape up to date, so it only ever adds what is missing.
-- Timestamps written by the bridge are UTC ISO-8601 with milliseconds ('2026-11-24T10:15:30.123Z').

-- Control app ---------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    username    TEXT    NOT NULL UNIQUE,
    email       TEXT,
    role        TEXT    NOT NULL DEFAULT 'user',
    is_active   INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE IF NOT EXISTS agents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT,
    status      TEXT    NOT NULL DEFAULT 'active',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE IF NOT EXISTS system_config (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    config_key   TEXT    NOT NULL UNIQUE,
    config_value TEXT,
    description  TEXT,
    updated_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    description TEXT,
    applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Chat bridge ---------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS web_chat_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL UNIQUE,
    uid         TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    agent_id    INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    ip_address  TEXT,
    user_agent  TEXT,
    metadata    TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL DEFAULT 'active',
    created_at  TEXT    NOT NULL,
    last_active TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS web_chat_messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       TEXT    NOT NULL REFERENCES web_chat_sessions(session_id) ON DELETE CASCADE,
    message          TEXT    NOT NULL,
    -- when the bridge stored it; client_timestamp keeps what the browser sent
    timestamp        TEXT    NOT NULL,
    client_timestamp TEXT,
    uid              TEXT,
    processed        INTEGER NOT NULL DEFAULT 0,
    processed_at     TEXT,
    answered_at      TEXT,
    delivery_count   INTEGER NOT NULL DEFAULT 0,  -- how often inbox has handed it out (its claim leases)
    claim_expires_at TEXT                         -- when the live claim lapses unanswered; NULL without one
);

CREATE TABLE IF NOT EXISTS web_chat_responses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL REFERENCES web_chat_sessions(session_id) ON DELETE CASCADE,
    message_id  INTEGER REFERENCES web_chat_messages(id) ON DELETE SET NULL,
    response    TEXT    NOT NULL,
    -- external id of the Flask bridge's API, still filled for readers of this table
    response_id TEXT,
    status      TEXT    NOT NULL DEFAULT 'sent',
    timestamp   TEXT    NOT NULL,
    author      TEXT    NOT NULL DEFAULT 'agent'  -- 'agent' (Broca's outbox) or 'admin' (a person in the admin console)
);

-- Kept for the control app and the previous bridge; ChatBridge limits in memory and clears it.
CREATE TABLE IF NOT EXISTS rate_limits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ip_address    TEXT    NOT NULL,
    endpoint      TEXT    NOT NULL,
    request_count INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_last_active ON web_chat_sessions(last_active);
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_pending     ON web_chat_messages(processed, id);
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_session     ON web_chat_messages(session_id, id);
-- Only live leases: answered and exhausted messages leave it, so the lease sweep stays small.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_leases      ON web_chat_messages(claim_expires_at) WHERE claim_expires_at IS NOT NULL;
-- Only unanswered messages: the admin's backlog, oldest first.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_waiting     ON web_chat_messages(id) WHERE answered_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_session    ON web_chat_responses(session_id, id);
-- The admin's dashboard: counts per hour and day, and each message's first reply.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_time        ON web_chat_messages(timestamp, session_id);
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_time       ON web_chat_responses(timestamp);
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_message    ON web_chat_responses(message_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_agent       ON web_chat_sessions(session_id, agent_id);
CREATE INDEX IF NOT EXISTS idx_rate_limits_ip_endpoint       ON rate_limits(ip_address, endpoint);
