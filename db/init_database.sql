-- Sanctum control database: the control app's tables and the chat bridge's tables.
-- Every statement is idempotent. ChatBridge runs this file on a new database; later schema steps bring a database
-- made by an older version (or by the control app alone) to the same shape, adding and never losing a row.

-- Control app ---------------------------------------------------------------------------------
-- Exactly as its SQLAlchemy models create them: it only creates tables that are missing and never alters one, so a
-- table made here must already have every column it uses. Its times are UTC in its own 'YYYY-MM-DD HH:MM:SS' form.

CREATE TABLE IF NOT EXISTS users (
    id INTEGER NOT NULL,
    username VARCHAR(50) NOT NULL,
    email VARCHAR(100) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role VARCHAR(20) DEFAULT 'user',
    permissions TEXT DEFAULT '[]',
    is_active BOOLEAN DEFAULT 1,
    failed_login_attempts INTEGER DEFAULT 0,
    last_login DATETIME,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE (username),
    UNIQUE (email)
);

CREATE TABLE IF NOT EXISTS user_sessions (
    id VARCHAR(100) NOT NULL,
    user_id INTEGER NOT NULL,
    session_token VARCHAR(255) NOT NULL,
    expires_at DATETIME NOT NULL,
    ip_address VARCHAR(45),
    user_agent TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE,
    UNIQUE (session_token)
);

CREATE TABLE IF NOT EXISTS agents (
    id INTEGER NOT NULL,
    name VARCHAR(100) NOT NULL,
    letta_uid VARCHAR(100) NOT NULL,
    description TEXT,
    status VARCHAR(50) DEFAULT 'active',
    created_by INTEGER,
    config TEXT,
    is_active BOOLEAN DEFAULT 1,
    visible_to_users TEXT,
    visible_to_roles TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE (letta_uid)
);

CREATE TABLE IF NOT EXISTS system_config (
    id INTEGER NOT NULL,
    config_key VARCHAR(100) NOT NULL,
    config_value TEXT NOT NULL,
    description TEXT,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id),
    UNIQUE (config_key)
);

-- The control app's own schema history; the bridge records its steps in chatbridge_schema, never here.
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,
    applied_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    description TEXT,
    PRIMARY KEY (version)
);

-- Chat bridge ---------------------------------------------------------------------------------
-- Points in time the bridge writes are UTC ISO-8601 with milliseconds ('2026-11-24T10:15:30.123Z'), so they sort
-- as text. The control app's own chat routes write these tables too, leaving out the bridge's newer columns and
-- writing SQLite's 'YYYY-MM-DD HH:MM:SS': every column they leave out has a default, and the triggers below put their
-- times in the bridge's form, so their rows are first-class.

CREATE TABLE IF NOT EXISTS chatbridge_schema (
    step       TEXT NOT NULL PRIMARY KEY,  -- '012 ...': the bridge's schema steps applied to this database
    applied_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS web_chat_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL UNIQUE,
    uid         TEXT    NOT NULL DEFAULT (lower(hex(randomblob(8)))),
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    agent_id    INTEGER REFERENCES agents(id) ON DELETE SET NULL,
    ip_address  TEXT,
    user_agent  TEXT,
    metadata    TEXT    NOT NULL DEFAULT '{}',
    status      TEXT    NOT NULL DEFAULT 'active',
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_active TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    token_hash  TEXT,      -- SHA-256 (hex) of the X-Session-Token that created it; NULL: a session without one
    hidden_at   TEXT         -- its owner removed it from their list (my_sessions); the admin still sees it
);

CREATE TABLE IF NOT EXISTS web_chat_messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id       TEXT    NOT NULL REFERENCES web_chat_sessions(session_id) ON DELETE CASCADE,
    message          TEXT    NOT NULL,
    -- when the bridge stored it; client_timestamp keeps what the browser sent
    timestamp        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    client_timestamp TEXT,
    uid              TEXT,
    processed        INTEGER NOT NULL DEFAULT 0,
    processed_at     TEXT,
    answered_at      TEXT,
    delivery_count   INTEGER NOT NULL DEFAULT 0,  -- how often inbox has handed it out (its claim leases)
    claim_expires_at TEXT,                        -- when the live claim lapses unanswered; NULL without one
    claimed_by       TEXT,                        -- the Broca (by its key) that holds or last held the claim
    answered_by      TEXT,                        -- the Broca whose reply answered it; NULL for a person's reply
    strikes          INTEGER NOT NULL DEFAULT 0,  -- lapses while its Broca went on working (see docs/DELIVERY.md)
    not_before       TEXT,                        -- stuck (MaxDeliveries strikes): not handed out before this
    dropped_at       TEXT,                        -- an admin dropped it: never handed out again
    client_message_id TEXT                        -- the client's UUID for the send: a retry with it stores nothing new
);

CREATE TABLE IF NOT EXISTS web_chat_responses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT    NOT NULL REFERENCES web_chat_sessions(session_id) ON DELETE CASCADE,
    message_id  INTEGER REFERENCES web_chat_messages(id) ON DELETE SET NULL,
    response    TEXT    NOT NULL,
    -- external id of the Flask bridge's API, still filled by the bridge for readers of this table
    response_id TEXT,
    status      TEXT    NOT NULL DEFAULT 'sent',
    timestamp   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    author      TEXT    NOT NULL DEFAULT 'agent', -- 'agent' (Broca's outbox) or 'admin' (a person in the admin console)
    seen_at     TEXT          -- when the visitor's page first showed it (its read receipt)
);

-- The control app's rate limiter counts here (count, window_start in its local time); ChatBridge limits in memory and
-- only clears it. request_count is the older bridge's name for the count, kept for its readers.
CREATE TABLE IF NOT EXISTS rate_limits (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    ip_address    TEXT    NOT NULL,
    endpoint      TEXT    NOT NULL,
    count         INTEGER DEFAULT 1,
    request_count INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The dashboard's figures of closed UTC days, kept once a day is over (its rows no longer change) so that
-- stats counts only today. agent_id 0 is the whole service; another is the sessions of that agent, whose
-- rows hold latency only (messages and replies NULL). Latency is bucketed by the day of the first reply.
CREATE TABLE IF NOT EXISTS stats_daily (
    day         TEXT    NOT NULL,  -- '2026-11-24'
    agent_id    INTEGER NOT NULL,
    messages    INTEGER,
    replies     INTEGER,
    answered    INTEGER NOT NULL,
    p50_seconds REAL,              -- NULL when none was answered
    p95_seconds REAL,
    PRIMARY KEY (day, agent_id)
);

-- Messages and replies another program wrote (the control app's chat routes), so the bridge wakes its waiting long
-- polls and open sockets for them too. Filled by the triggers below, read and emptied by the bridge.
CREATE TABLE IF NOT EXISTS chatbridge_changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    kind   TEXT    NOT NULL,  -- 'message' or 'response'
    row_id INTEGER NOT NULL
);

-- Broca keys of single agents: only their SHA-256 is kept, the key itself is shown once when it is made.
CREATE TABLE IF NOT EXISTS chatbridge_agent_keys (
    agent_id   INTEGER NOT NULL PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    key_hash   TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
);

-- Accounts refused further sign-ins for a while after repeated wrong passwords (the control app counts them in
-- users.failed_login_attempts); one row per account while it is locked.
CREATE TABLE IF NOT EXISTS chatbridge_account_lockouts (
    user_id      INTEGER NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    locked_until TEXT    NOT NULL
);

-- Files people attached to their messages. An upload waits here with its session and no message until the message
-- that carries it is stored, in the same transaction. content holds the bytes, last so that reading the other columns
-- never reads them; it is NULL when ChatBridge:Attachments:Folder keeps them as files named by public_id.
CREATE TABLE IF NOT EXISTS chatbridge_attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,  -- 32 random hex digits: the file's link, which is all it takes to read it
    session_id TEXT    NOT NULL,
    message_id INTEGER,                  -- NULL until a message carries it
    position   INTEGER NOT NULL DEFAULT 0,  -- its place among the message's attachments
    name       TEXT    NOT NULL,         -- the safe download name
    media_type TEXT    NOT NULL,         -- what the bytes are, never what the client said
    size       INTEGER NOT NULL,
    width      INTEGER,
    height     INTEGER,
    client     TEXT    NOT NULL,         -- the uploader's address: its hourly byte budget
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,         -- when the link stops working for anyone but the session's owner and admins
    content    BLOB
);

-- A visitor's rating of a reply: one per reply, changed in place, deleted when taken back.
CREATE TABLE IF NOT EXISTS chatbridge_feedback (
    response_id INTEGER NOT NULL PRIMARY KEY REFERENCES web_chat_responses(id) ON DELETE CASCADE,
    session_id  TEXT    NOT NULL,
    rating      TEXT    NOT NULL,  -- 'up' or 'down'
    reason      TEXT,              -- optional, at most 500 characters: a short code such as 'wrong', maybe ': ' and free text
    rated_at    TEXT NOT NULL
);

-- When each agent's Broca last polled the inbox, written at most every few seconds per instance. agent_id 0 is the
-- service-wide key, which polls for every agent.
CREATE TABLE IF NOT EXISTS chatbridge_broca_polls (
    agent_id         INTEGER NOT NULL PRIMARY KEY,
    last_poll_at     TEXT NOT NULL,
    interval_seconds REAL           -- its typical gap between polls as last observed (wait included)
);

CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_last_active ON web_chat_sessions(last_active);
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_pending     ON web_chat_messages(processed, id);
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_session     ON web_chat_messages(session_id, id);
-- Only live leases: answered and exhausted messages leave it, so the lease sweep stays small.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_leases      ON web_chat_messages(claim_expires_at) WHERE claim_expires_at IS NOT NULL;
-- Only unanswered messages: the admin's backlog, oldest first.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_waiting     ON web_chat_messages(id) WHERE answered_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_unanswered  ON web_chat_messages(id) WHERE processed = 1 AND answered_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_session    ON web_chat_responses(session_id, id);
-- The admin's dashboard: counts per hour and day, and each message's first reply.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_time        ON web_chat_messages(timestamp, session_id);
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_time       ON web_chat_responses(timestamp);
CREATE INDEX IF NOT EXISTS idx_web_chat_responses_message    ON web_chat_responses(message_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_agent       ON web_chat_sessions(session_id, agent_id);
-- A signed-in user's own conversations, and an agent's Broca finding its sessions' messages.
CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_user        ON web_chat_sessions(user_id, last_active) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_web_chat_sessions_by_agent    ON web_chat_sessions(agent_id, session_id) WHERE agent_id IS NOT NULL;
-- Only answered messages, by the time of their first reply: a day's reply latency without reading the table.
CREATE INDEX IF NOT EXISTS idx_web_chat_messages_answered    ON web_chat_messages(answered_at, timestamp, session_id) WHERE answered_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_rate_limits_ip_endpoint       ON rate_limits(ip_address, endpoint);
-- A message's attachments in order; an upload's session (clean-up); a client's uploads of the last hour (its budget).
CREATE INDEX IF NOT EXISTS idx_chatbridge_attachments_message ON chatbridge_attachments(message_id, position) WHERE message_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_chatbridge_attachments_session ON chatbridge_attachments(session_id);
CREATE INDEX IF NOT EXISTS idx_chatbridge_attachments_client  ON chatbridge_attachments(client, created_at);
