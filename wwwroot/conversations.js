// A visitor's conversations: many per agent, each a session of its own with the token it is bound to. Anonymous, the
// list lives in this browser (the chat page's localStorage; for the widget, the host site's storage, which the loader
// keeps); signed in, the server's my_sessions is the list, the same on every device.
//
// An entry: { id, token, agentId, title, createdAt, lastAt, hidden }. `token` is null for a session an older page
// created; `hidden` marks one removed from the list (the session itself stays, and an admin still sees it).

import { newSessionToken, randomHex } from './api.js';

const ListKey = 'chatbridge.conversations';
const LegacyKeyPrefix = 'chatbridge.session.';
const SessionPattern = /^session_[A-Za-z0-9_]{1,56}$/;
const TokenPattern = /^[0-9a-f]{64}$/;
// What a list shows of a first message; the server shortens my_sessions' titles the same way.
const TitleLength = 60;
// A browser keeps its newest conversations; older ones drop out of the list, never out of the server.
const MaxEntries = 100;

/** `session_` and 128 random bits as hex: 40 characters, inside the contract's 64. */
export function newSessionId() {
  return `session_${randomHex(16)}`;
}

/** A first message as a list shows it: one line, cut at a word near 60 characters. */
export function shortTitle(text) {
  const line = String(text ?? '').replace(/\s+/g, ' ').trim();
  if (line.length <= TitleLength) {
    return line;
  }
  const cut = line.slice(0, TitleLength);
  const space = cut.lastIndexOf(' ');
  return `${(space > TitleLength / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A conversation as stored, with every field checked: storage is shared with whatever else runs on the origin. */
export function cleanEntry(entry) {
  if (entry === null || typeof entry !== 'object' || !SessionPattern.test(entry.id ?? '')) {
    return null;
  }
  const agentId = Number.isInteger(entry.agentId) && entry.agentId > 0 ? entry.agentId : null;
  const time = (value) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null);
  const createdAt = time(entry.createdAt) ?? new Date(0).toISOString();
  return {
    id: entry.id,
    token: TokenPattern.test(entry.token ?? '') ? entry.token : null,
    agentId,
    title: typeof entry.title === 'string' ? entry.title.slice(0, TitleLength + 1) : '',
    createdAt,
    lastAt: time(entry.lastAt) ?? createdAt,
    hidden: entry.hidden === true,
  };
}

export function cleanList(list) {
  if (!Array.isArray(list)) {
    return [];
  }
  const seen = new Set();
  return list.map(cleanEntry).filter((entry) => entry !== null && !seen.has(entry.id) && seen.add(entry.id)).slice(0, MaxEntries);
}

/** A new conversation with an agent, bound to a fresh token. */
export function createEntry(agentId) {
  const now = new Date().toISOString();
  return { id: newSessionId(), token: newSessionToken(), agentId, title: '', createdAt: now, lastAt: now, hidden: false };
}

/** Newest first, by the last message or reply, and the hidden left out. */
export function visible(list) {
  return list.filter((entry) => !entry.hidden).sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0));
}

/** The agent's most recent conversation still in the list, or null. */
export function latestFor(list, agentId) {
  return visible(list).find((entry) => entry.agentId === agentId) ?? null;
}

/**
 * The chat page's list, from localStorage. Sessions an older page kept (one per agent, `chatbridge.session.<agent>`,
 * no token) join it once, so they stay reachable and keep working without a token.
 */
export function loadLocalList() {
  let list = [];
  try {
    list = cleanList(JSON.parse(localStorage.getItem(ListKey) ?? '[]'));
  } catch {
    list = [];
  }
  const known = new Set(list.map((entry) => entry.id));
  for (const key of Object.keys(localStorage).filter((name) => name.startsWith(LegacyKeyPrefix))) {
    const id = localStorage.getItem(key);
    const agent = key.slice(LegacyKeyPrefix.length);
    if (SessionPattern.test(id ?? '') && !known.has(id)) {
      known.add(id);
      list.push(cleanEntry({ id, token: null, agentId: agent === 'default' ? null : Number(agent), title: '' }));
    }
  }
  return list;
}

export function saveLocalList(list) {
  try {
    localStorage.setItem(ListKey, JSON.stringify(visibleFirst(list).slice(0, MaxEntries)));
  } catch {
    // Storage refused or full: the list lasts as long as the page.
  }
}

/** Keeps the newest when the list is cut: hidden ones go first. */
function visibleFirst(list) {
  const shown = visible(list);
  return [...shown, ...list.filter((entry) => entry.hidden)];
}

/** Forgets every conversation this browser holds (a sign-out: the next person here starts afresh). */
export function clearLocalList() {
  try {
    localStorage.removeItem(ListKey);
  } catch {
    // As above.
  }
}

/** A signed-in user's conversation from my_sessions, in the list's shape; the token is this browser's, if it has one. */
export function fromServer(conversation, local) {
  const mine = local.find((entry) => entry.id === conversation.session_id);
  return {
    id: conversation.session_id,
    token: mine?.token ?? null,
    agentId: conversation.agent_id ?? null,
    agentName: conversation.agent_name ?? null,
    title: conversation.title ?? '',
    createdAt: conversation.created_at,
    lastAt: conversation.last_message_at ?? conversation.last_active ?? conversation.created_at,
    hidden: false,
  };
}
