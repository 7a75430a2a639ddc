// The chat page: many conversations per visitor (a list beside the chat, a drawer on phones, a menu in the widget), the
// agent's latest one opened when the agent is picked, each kept across reloads; replies from a swappable transport.

import { currentUser, needsSignIn, signIn, signInErrorText, signOut } from './account.js';
import { ApiError, callApi, copyText, el, sessionTokenFor, setSanctumSession, setSessionToken } from './api.js';
import { createAlerts } from './alerts.js';
import { attachmentList, createTray } from './attachments.js';
import {
  cleanList, clearLocalList, createEntry, fromServer, latestFor, loadLocalList, saveLocalList, shortTitle, visible,
} from './conversations.js';
import { createFeedback } from './feedback.js';
import { apiErrorText, formatDate, formatDuration, formatNumber, formatRelative, formatTime, languageMenu, ready, t } from './i18n.js';
import { createTransport, deliveryProgress } from './transport.js';

const AgentChoiceKey = 'chatbridge.agent';
const SessionKeyPrefix = 'chatbridge.session.';
// Embedded, the panel signs in without a cookie (a frame on another site gets none) and keeps the token for the tab.
const TokenStorageKey = 'chatbridge.sanctumSession';
// A page that embeds this chat (the widget's panel, /widget/) describes itself on <body> before this module runs:
// data-session-id, data-agent-id, data-greeting. The embedding keeps the session: a framed page's own storage is
// partitioned or blocked by browsers, so this page then never touches localStorage.
const embedding = document.body.dataset;
const embedded = embedding.sessionId !== undefined;
// The server's typing start expires after 15 s without a stop; this covers a stop that never reaches us.
const TypingSafetyMs = 20000;
// Delivery states with a label in the catalogue (status.*); another state shows as it came.
const Statuses = ['sending', 'retrying', 'pending', 'delivered', 'answered', 'failed', 'dropped'];
// A send that fails on the way (no network, 5xx) is tried again by itself after these waits, with the same
// client_message_id, so the server stores it once however many of the tries reached it.
const RetryDelaysMs = [1000, 2000, 4000, 8000];
// The agents' presence (online, typical reply time) is asked for again this often.
const PresenceRefreshMs = 30000;
// A reply shown while the tab is visible is reported as seen after this quiet moment: a burst costs one call.
const SeenDelayMs = 1000;

const ui = {
  agentSelect: document.getElementById('agent-select'),
  agentName: document.getElementById('agent-name'),
  agentAvatar: document.getElementById('agent-avatar'),
  agentDescription: document.getElementById('agent-description'),
  connection: document.getElementById('connection-banner'),
  connectionState: document.getElementById('connection-state'),
  connectionLabel: document.getElementById('connection-label'),
  typing: document.getElementById('typing-indicator'),
  typingLabel: document.getElementById('typing-label'),
  transcript: document.getElementById('transcript'),
  emptyState: document.getElementById('empty-state'),
  jump: document.getElementById('jump-bottom'),
  form: document.getElementById('composer'),
  input: document.getElementById('message-input'),
  send: document.getElementById('send-button'),
  sendSpinner: document.getElementById('send-spinner'),
  sendLabel: document.getElementById('send-label'),
  error: document.getElementById('composer-error'),
  attachButton: document.getElementById('attach-button'),
  fileInput: document.getElementById('file-input'),
  attachments: document.getElementById('attachment-tray'),
  attachHint: document.getElementById('attach-hint'),
  alertsToggle: document.getElementById('alerts-toggle'),
  languageSelect: document.getElementById('language-select'),
  main: document.querySelector('.chat-main'),
  composer: document.querySelector('.composer'),
  presence: document.getElementById('agent-presence'),
  conversationPanel: document.getElementById('conversations'),
  conversationList: document.getElementById('conversation-list'),
  conversationToggle: document.getElementById('conversations-toggle'),
  conversationClose: document.getElementById('conversations-close'),
  newConversation: document.getElementById('new-conversation'),
  accountButton: document.getElementById('account-button'),
  accountDialog: document.getElementById('account-dialog'),
  accountPanel: document.getElementById('account-panel'),
  accountName: document.getElementById('account-name'),
  conversations: document.getElementById('account-conversations'),
  accountClose: document.getElementById('account-close'),
  signOut: document.getElementById('sign-out-button'),
  gate: document.getElementById('sign-in-gate'),
  signInForm: document.getElementById('sign-in-form'),
  signInReason: document.getElementById('sign-in-reason'),
  signInError: document.getElementById('sign-in-error'),
  signInCancel: document.getElementById('sign-in-cancel'),
  signInSubmit: document.getElementById('sign-in-submit'),
  username: document.getElementById('sign-in-username'),
  password: document.getElementById('sign-in-password'),
};

/** Without agents in the control database there is this one, and messages carry no agent_id. */
function defaultAgent() {
  return { id: null, name: t('chat.defaultAgent'), description: '' };
}

const state = {
  agents: [],
  agent: null,
  sessionId: null,
  transport: null,
  sending: false,
  blockedUntil: 0,
  blockTimer: null,
  bubbles: new Map(), // server message id -> bubble
  earlyStatuses: new Map(), // message id -> a state that arrived before its send returned
  shownResponses: new Set(),
  typingTimer: null,
  generation: 0, // bumped on every agent switch so late answers for the old session are dropped
  unread: 0, // replies that arrived while the tab was hidden
  user: null, // the signed-in Sanctum account, or null
  conversations: [], // the signed-in user's, from my_sessions, most recently active first
  local: [], // this browser's conversations with their tokens (conversations.js); embedded, the host site keeps them
  seen: { sessionId: null, reported: 0, timer: null }, // the highest reply reported shown, per open conversation
  presenceTimer: null,
  embeddedSession: embedding.sessionId, // embedded: the conversation shown, which a sign-in or sign-out may change
};

// The reply renderer (markdown-it and DOMPurify, about 67 KB gzipped) downloads beside the page's own scripts instead
// of holding them back: the first conversation waits for it before it shows a reply (openConversation).
let renderMarkdown = null;
const markdownLoaded = import('./markdown.js').then((module) => { renderMarkdown = module.renderMarkdown; });

// Embedded, the widget's own notifications and sound options apply, and the toggle's choice could not be stored.
let alerts = null;
// The files waiting to go with the next message; made once the catalogue is loaded.
let tray = null;
// The 👍/👎 under each reply; made once the catalogue is loaded.
let feedback = null;

/** Embedded, the panel starts with the conversation the loader opened and its token (from the frame's #fragment). */
function embeddedConversations() {
  const token = embedding.sessionToken ?? null;
  const agentId = /^[1-9][0-9]{0,9}$/.test(embedding.agentId ?? '') ? Number(embedding.agentId) : null;
  return cleanList([{ id: state.embeddedSession, token, agentId, title: '', createdAt: new Date().toISOString() }]);
}

// Sessions: many per agent. The one last opened with each agent is remembered (chatbridge.session.<agent>, as older
// pages kept their only one), the list of them all with their tokens in conversations.js.

function sessionStorageKey(agent) {
  return `${SessionKeyPrefix}${agent.id ?? 'default'}`;
}

function localEntry(sessionId) {
  return state.local.find((entry) => entry.id === sessionId) ?? null;
}

/**
 * The conversation to open with an agent. Signed in, the user's most recent one wins over this browser's: the same
 * conversation on every device the user signs in on. Otherwise the one last opened with the agent, else its newest,
 * else a new one.
 */
function sessionFor(agent) {
  const mine = state.conversations.find((conversation) => (conversation.agent_id ?? null) === agent.id);
  if (mine) {
    return mine.session_id;
  }
  if (embedded) {
    return state.embeddedSession;
  }
  const stored = localStorage.getItem(sessionStorageKey(agent));
  if (stored && /^session_[A-Za-z0-9_]+$/.test(stored) && stored.length <= 64 && !(localEntry(stored)?.hidden ?? false)) {
    return stored;
  }
  return (latestFor(state.local, agent.id) ?? addConversation(agent)).id;
}

/** A new conversation with the agent, bound to a fresh token, added to this browser's list. */
function addConversation(agent) {
  const entry = createEntry(agent.id);
  state.local.push(entry);
  saveConversations();
  return entry;
}

/** Embedded, the host site's storage keeps the list (the loader); the page keeps it in its own. */
function saveConversations() {
  if (embedded) {
    announce('conversations', { conversations: state.local, fromPanel: true });
  } else {
    saveLocalList(state.local);
  }
}

/** A message or reply in a conversation: it moves to the top of the list, and its first message becomes its title. */
function touchConversation(sessionId, { title, at = new Date().toISOString() } = {}) {
  const entry = localEntry(sessionId);
  if (entry === null) {
    return;
  }
  if (!entry.title && title) {
    entry.title = shortTitle(title);
  }
  if (at > entry.lastAt) {
    entry.lastAt = at;
  }
  saveConversations();
  renderConversations();
}

// Transcript rendering. User text goes through textContent; agent text through the Markdown renderer,
// which builds sanitised elements and never runs markup.

function isNearBottom() {
  const t = ui.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
}

function scrollToBottom() {
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
  ui.jump.classList.add('d-none');
}

function append(node) {
  const stick = isNearBottom();
  ui.emptyState.classList.add('d-none');
  ui.transcript.append(node);
  if (stick) {
    scrollToBottom();
  } else {
    ui.jump.classList.remove('d-none');
  }
}

function copyButton(getText) {
  const button = el('button', {
    className: 'btn btn-link btn-sm p-0 copy-button',
    text: t('chat.copy'),
    attrs: { type: 'button', 'aria-label': t('chat.copyMessage') },
  });
  button.addEventListener('click', async () => {
    const copied = await copyText(getText());
    button.textContent = copied ? t('chat.copied') : t('chat.copyFailed');
    setTimeout(() => { button.textContent = t('chat.copy'); }, 1500);
  });
  return button;
}

/** What proves a conversation is the reader's to a file link that has expired: its id, and its token if it has one. */
function sessionHeaders(sessionId) {
  const token = sessionTokenFor(sessionId);
  return token === null ? { 'X-Session-Id': sessionId } : { 'X-Session-Id': sessionId, 'X-Session-Token': token };
}

/** `attachments` as history gives them ({ id, name, type, size, width, height, url, expires_at }). */
function userBubble(text, timestamp, attachments = []) {
  const body = el('div', { className: 'bubble', attrs: {} }, text ? [el('div', { className: 'bubble-text', text, attrs: { dir: 'auto' } })] : []);
  if (attachments.length > 0) {
    body.append(attachmentList(attachments, sessionHeaders(state.sessionId)));
  }
  const status = el('span', { className: 'message-status' });
  const time = el('time', { text: formatTime(timestamp), attrs: { datetime: timestamp } });
  const actions = el('span', { className: 'message-actions' }, [copyButton(() => text)]);
  const node = el('article', { className: 'message message-user', attrs: { 'aria-label': t('chat.you') } }, [
    body,
    el('div', { className: 'message-meta' }, [time, status, actions]),
  ]);
  // One id per message for all its tries: the server stores it once however many of them reached it.
  const bubble = { node, text, attachments, status, actions, retry: null, reason: null, note: null, clientId: crypto.randomUUID() };
  setBubbleStatus(bubble, 'sending');
  return bubble;
}

function setBubbleStatus(bubble, status, reason) {
  bubble.status.textContent = Statuses.includes(status) ? t(`status.${status}`) : status;
  bubble.status.dataset.status = status;
  bubble.node.dataset.status = status;
  bubble.reason?.remove();
  bubble.reason = null;
  bubble.retry?.remove();
  bubble.retry = null;
  if (status === 'answered' || status === 'failed') {
    clearTimeout(bubble.waitTimer);
    bubble.note?.remove();
    bubble.note = null;
  }
  if (status === 'failed') {
    bubble.reason = el('div', { className: 'message-error', text: reason });
    bubble.retry = el('button', {
      className: 'btn btn-outline-danger btn-sm retry-button',
      text: t('chat.retry'),
      attrs: { type: 'button' },
    });
    bubble.retry.addEventListener('click', () => send(bubble));
    bubble.node.append(bubble.reason);
    bubble.actions.prepend(bubble.retry);
  }
}

/** A reply from a person in the admin console says so: the user should know a human is now answering. */
function replyAuthorName(response) {
  return response.author === 'admin' ? t('chat.person') : state.agent.name;
}

function agentBubble(response) {
  const name = replyAuthorName(response);
  // A person's reply is not the agent's answer: the ratings are about the agent.
  const rating = response.author === 'admin' ? [] : [feedback.control(response)];
  const className = response.author === 'admin' ? 'message message-agent message-person' : 'message message-agent';
  const author = response.author === 'admin' ? {} : { translate: 'no' }; // an agent's name is data, "Support (person)" is ours
  return el('article', { className, attrs: { 'aria-label': name, 'data-response-id': String(response.id), 'data-author': response.author ?? 'agent' } }, [
    el('div', { className: 'message-author', text: name, attrs: author }),
    el('div', { className: 'bubble' }, [el('div', { className: 'bubble-text markdown', attrs: { dir: 'auto' } }, [renderMarkdown(response.response)])]),
    el('div', { className: 'message-meta' }, [
      el('time', { text: formatTime(response.timestamp), attrs: { datetime: response.timestamp } }),
      el('span', { className: 'message-actions' }, [copyButton(() => response.response), ...rating]),
    ]),
  ]);
}

/** Tells an embedding page what happened: the widget's panel passes it on to the host site. */
function announce(name, detail = {}) {
  document.dispatchEvent(new CustomEvent(`chatbridge:${name}`, { detail }));
}

function systemNote(text) {
  return el('div', { className: 'system-note', text, attrs: { role: 'note' } });
}

/**
 * Each reply once; one that arrives after a later one (stored at the same moment) goes before it.
 * Returns whether the reply was new.
 */
function showResponse(response) {
  showTyping({ state: 'stop' });
  if (state.shownResponses.has(response.id)) {
    return false;
  }
  state.shownResponses.add(response.id);
  const node = agentBubble(response);
  const later = [...ui.transcript.querySelectorAll('.message-agent')]
    .find((other) => Number(other.dataset.responseId) > response.id);
  if (later) {
    ui.transcript.insertBefore(node, later);
  } else {
    append(node);
  }
  reportSeen(response.id);
  return true;
}

/**
 * Read receipts: the highest reply the page has shown, sent once the tab is visible and the replies have settled for a
 * moment. A failed report is not repeated; the next reply or the next return to the tab reports again.
 */
function reportSeen(responseId) {
  const seen = state.seen;
  if (seen.sessionId !== state.sessionId) {
    Object.assign(seen, { sessionId: state.sessionId, reported: 0, highest: 0 });
  }
  seen.highest = Math.max(seen.highest ?? 0, responseId ?? 0);
  if (document.visibilityState !== 'visible' || seen.highest <= seen.reported) {
    return;
  }
  clearTimeout(seen.timer);
  seen.timer = setTimeout(() => {
    if (seen.sessionId !== state.sessionId || document.visibilityState !== 'visible' || seen.highest <= seen.reported) {
      return;
    }
    const responseId = seen.highest;
    seen.reported = responseId;
    callApi('seen', { method: 'POST', body: { session_id: seen.sessionId, response_id: responseId } }).catch(() => {
      if (seen.reported === responseId) {
        seen.reported = 0;
      }
    });
  }, SeenDelayMs);
}

/** A live reply: shown, passed to an embedding page, and counted in the title (with the alerts the reader switched on) while the tab is hidden. */
function receiveResponse(response) {
  if (!showResponse(response)) {
    return;
  }
  announce('reply', response);
  touchConversation(state.sessionId, { at: response.timestamp });
  if (document.visibilityState !== 'hidden') {
    return;
  }
  state.unread += 1;
  updateTitle();
  alerts?.announce(replyAuthorName(response), response.response);
}

function updateTitle() {
  const base = t('chat.title', { agent: state.agent.name });
  document.title = state.unread > 0 ? t('chat.unreadTitle', { count: state.unread, title: base }) : base;
}

function markRead() {
  if (document.visibilityState === 'visible') {
    reportSeen(0);
  }
  if (document.visibilityState === 'visible' && state.unread > 0) {
    state.unread = 0;
    updateTitle();
  }
}

/**
 * Delivery states only move forward: a late history answer never undoes a live event. Forward includes going back
 * to pending when Broca's claim lapsed, since the message then waits for its next hand-out.
 */
function showStatus(event) {
  const { message_id: id, status, delivery_count: deliveryCount } = event;
  const bubble = state.bubbles.get(id);
  const progress = deliveryProgress(status, deliveryCount);
  if (!bubble) {
    state.earlyStatuses.set(id, event);
  } else if (progress > (bubble.progress ?? -1)) {
    bubble.progress = progress;
    setBubbleStatus(bubble, status);
  }
}

function showTyping({ state: typing }) {
  clearTimeout(state.typingTimer);
  const active = typing === 'start';
  if (active) {
    ui.typingLabel.textContent = t('chat.typing', { agent: state.agent.name });
    state.typingTimer = setTimeout(() => showTyping({ state: 'stop' }), TypingSafetyMs);
  }
  ui.typing.classList.toggle('d-none', !active);
}

// Errors and connection state.

function showError(text) {
  ui.error.textContent = text;
  ui.error.classList.remove('d-none');
}

function clearError() {
  ui.error.textContent = '';
  ui.error.classList.add('d-none');
}

function describe(error) {
  if (!(error instanceof ApiError)) {
    return t('chat.error.page');
  }
  if (error.isNetwork) {
    return t('chat.error.network');
  }
  if (error.status === 429) {
    return t('chat.error.tooFast');
  }
  if (error.status >= 500) {
    return t('chat.error.server');
  }
  return t('chat.error.refused', { reason: apiErrorText(error.message) });
}

function showConnectionState(mode) {
  ui.connectionState.dataset.state = mode;
  ui.connectionLabel.textContent = t(`connection.${mode}`);
}

function showConnection({ mode, online, retryInSeconds, error }) {
  showConnectionState(online ? mode ?? 'connecting' : 'offline');
  if (online) {
    ui.connection.classList.add('d-none');
    ui.connection.textContent = '';
    return;
  }
  const wait = t('duration.seconds', { count: retryInSeconds });
  ui.connection.textContent = error?.status === 429 ? t('chat.pollingPaused', { wait }) : t('chat.retrying', { wait });
  ui.connection.classList.remove('d-none');
}

/** After a 429, sending waits out the server's retry_after with a visible countdown. */
function blockSending(seconds) {
  state.blockedUntil = Date.now() + seconds * 1000;
  clearInterval(state.blockTimer);
  const update = () => {
    const left = Math.ceil((state.blockedUntil - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(state.blockTimer);
      state.blockTimer = null;
      clearError();
      updateComposer();
      return;
    }
    // In seconds however long, without a thousands separator: a countdown that visibly ticks tells the reader it runs.
    const seconds = formatNumber(left, { useGrouping: false });
    showError(t('chat.error.blocked', { wait: t('duration.seconds', { count: seconds }) }));
    updateComposer();
  };
  update();
  state.blockTimer = setInterval(update, 1000);
}

/** Sending waits for the conversation to load, so a new bubble never races the history it belongs after. */
function canSend() {
  return state.transport !== null && !state.sending && Date.now() >= state.blockedUntil && !(tray?.uploading ?? false);
}

function updateComposer() {
  ui.send.disabled = !canSend();
  ui.sendSpinner.classList.toggle('d-none', !state.sending);
  ui.sendLabel.textContent = state.sending ? t('chat.sendingButton') : t('chat.send');
  ui.send.setAttribute('aria-busy', String(state.sending));
}

// Sending.

/** A failure worth trying again by itself: the server could not be reached, or failed on its side. */
function retriable(error) {
  return error instanceof ApiError && (error.isNetwork || error.status >= 500);
}

function pause(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/**
 * Sends a message, retrying by itself (1, 2, 4, 8 s) while the server cannot be reached or fails, always with the
 * message's own client_message_id; given up, the bubble says Not sent and offers Retry (the same id again).
 */
async function send(bubble) {
  if (!canSend()) {
    return;
  }
  const generation = state.generation;
  state.sending = true;
  updateComposer();
  setBubbleStatus(bubble, 'sending');
  const body = {
    session_id: state.sessionId, message: bubble.text, timestamp: new Date().toISOString(), client_message_id: bubble.clientId,
  };
  if (bubble.attachments.length > 0) {
    body.attachments = bubble.attachments.map((attachment) => attachment.id);
  }
  if (state.agent.id !== null) {
    body.agent_id = state.agent.id;
  }
  try {
    let data = null;
    for (let attempt = 0; data === null; attempt += 1) {
      try {
        data = await callApi('messages', { method: 'POST', body });
      } catch (error) {
        // Another conversation opened meanwhile: the tries go on (the message is the reader's), the bubble is gone.
        if (!retriable(error) || attempt >= RetryDelaysMs.length) {
          throw error;
        }
        bubble.node.dataset.tries = String(attempt + 1);
        if (generation === state.generation) {
          setBubbleStatus(bubble, 'retrying');
        }
        await pause(Math.max(RetryDelaysMs[attempt], Math.min(error.retryAfter ?? 0, 30) * 1000));
      }
    }
    if (generation !== state.generation) {
      return;
    }
    clearError();
    state.bubbles.set(data.message_id, bubble);
    bubble.node.dataset.messageId = String(data.message_id);
    bubble.progress = deliveryProgress('pending');
    setBubbleStatus(bubble, 'pending');
    if (state.earlyStatuses.has(data.message_id)) {
      showStatus(state.earlyStatuses.get(data.message_id));
      state.earlyStatuses.delete(data.message_id);
    }
    state.transport.watch(data.message_id);
    watchWait(bubble, Date.now());
    announce('sent', { text: bubble.text, messageId: data.message_id });
    if (state.user !== null && !state.conversations.some((conversation) => conversation.session_id === state.sessionId)) {
      loadConversations().then(renderConversations); // the user's list on the server has it now
    }
  } catch (error) {
    if (generation !== state.generation) {
      return;
    }
    setBubbleStatus(bubble, 'failed', describe(error));
    if (needsSignIn(error)) {
      showGate();
    } else if (error instanceof ApiError && error.status === 429) {
      blockSending(error.retryAfter ?? 60);
    } else {
      showError(describe(error));
    }
  } finally {
    state.sending = false;
    updateComposer();
  }
}

/**
 * A message waiting longer than twice the agent's typical reply time (or sent while the agent is offline) says so,
 * gently, under its bubble, instead of leaving the reader to wonder.
 */
function watchWait(bubble, sentAt) {
  clearTimeout(bubble.waitTimer);
  const agent = state.agent;
  const typical = agent.typical_reply_seconds;
  if (agent.online !== false && !(typeof typical === 'number' && typical > 0)) {
    return;
  }
  const note = () => {
    if (bubble.note !== null || bubble.node.dataset.status === 'answered' || !bubble.node.isConnected) {
      return;
    }
    const text = agent.online === false ? t('presence.waitOffline', { agent: agent.name }) : t('presence.waitLong', { agent: agent.name });
    bubble.note = el('div', { className: 'message-note', text, attrs: { role: 'note' } });
    bubble.node.append(bubble.note);
  };
  const left = agent.online === false ? 0 : sentAt + Math.max(2 * typical, 5) * 1000 - Date.now();
  if (left <= 0) {
    note();
  } else {
    bubble.waitTimer = setTimeout(note, left);
  }
}

function submit() {
  const text = ui.input.value.trim();
  const attachments = tray.uploaded.map(({ attachment_id: id, ...rest }) => ({ id, ...rest }));
  if ((!text && attachments.length === 0) || !canSend()) {
    if (tray.uploading) {
      showError(t('attach.waiting'));
    }
    return;
  }
  tray.clear();
  const bubble = userBubble(text, new Date().toISOString(), attachments);
  touchConversation(state.sessionId, { title: text || attachments[0]?.name });
  append(bubble.node);
  scrollToBottom();
  ui.input.value = '';
  growInput();
  send(bubble);
}

function growInput() {
  ui.input.style.height = 'auto';
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 200)}px`;
}

// Conversations.

function renderHistory(history) {
  // Messages and replies interleaved by time; a reply stored in the same millisecond follows its message.
  const items = [
    ...history.messages.map((m) => ({ at: m.timestamp, order: 0, id: m.id, message: m })),
    ...history.responses.map((r) => ({ at: r.timestamp, order: 1, id: r.id, response: r })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order || a.id - b.id));
  for (const item of items) {
    if (item.message) {
      const bubble = userBubble(item.message.message, item.message.timestamp, item.message.attachments ?? []);
      bubble.node.dataset.messageId = String(item.message.id);
      bubble.progress = deliveryProgress(item.message.status, item.message.delivery_count);
      setBubbleStatus(bubble, item.message.status);
      state.bubbles.set(item.message.id, bubble);
      append(bubble.node);
      if (item.message.status === 'pending' || item.message.status === 'delivered') {
        watchWait(bubble, Date.parse(item.message.timestamp));
      }
    } else {
      showResponse(item.response);
    }
  }
}

function describeAgent(agent) {
  ui.agentName.textContent = agent.name;
  ui.agentAvatar.textContent = agent.name.slice(0, 1).toUpperCase();
  // An agent's description and a site's greeting are data, not the page's own words. With the agent's presence known,
  // the presence line says whether it is there; the description stays for a wide screen.
  const presence = typeof agent.online === 'boolean';
  ui.agentDescription.textContent = agent.description || (presence ? '' : t('chat.online'));
  ui.agentDescription.translate = !agent.description;
  ui.agentDescription.classList.toggle('has-presence', presence);
  showPresence(agent);
  ui.emptyState.textContent = embedding.greeting || t('chat.sayHelloTo', { agent: agent.name });
  ui.emptyState.translate = !embedding.greeting;
  updateTitle();
}

/**
 * The conversation on screen is closing (another opens, or the page reopens as someone else's): nothing more is sent
 * to it, and the page is not ready, until the next one is open.
 */
function closeConversation() {
  state.transport?.stop();
  state.transport = null;
  showTyping({ state: 'stop' });
  showConnectionState('connecting');
  updateComposer();
  delete ui.transcript.dataset.ready;
}

async function openConversation(agent, sessionId = sessionFor(agent)) {
  closeConversation();
  state.generation += 1;
  const generation = state.generation;
  // Uploads belong to the session they were made for.
  tray?.clear();
  state.agent = agent;
  state.sessionId = sessionId;
  rememberSession(agent, sessionId);
  state.bubbles.clear();
  state.earlyStatuses.clear();
  state.shownResponses.clear();
  state.unread = 0;
  ui.transcript.replaceChildren(systemNote(t('chat.talkingTo', { agent: agent.name })));
  ui.emptyState.classList.remove('d-none');
  ui.transcript.dataset.sessionId = state.sessionId;
  const entry = localEntry(sessionId);
  setSessionToken(sessionId, entry?.token ?? null);
  describeAgent(agent);
  clearError();
  renderConversations();

  let history = null;
  while (history === null) {
    try {
      history = await callApi('history', { query: { session_id: state.sessionId } });
    } catch (error) {
      if (generation !== state.generation) {
        return;
      }
      if (needsSignIn(error)) {
        showGate();
        return;
      }
      if (error instanceof ApiError && error.status === 403) {
        // Bound to a token this browser does not have (another browser's, or one lost): not ours to read. It leaves
        // the list, and a new conversation takes its place.
        const lost = localEntry(sessionId);
        if (lost !== null) {
          lost.hidden = true;
        }
        if (!embedded) {
          localStorage.removeItem(sessionStorageKey(agent));
        }
        await openConversation(agent, addConversation(agent).id);
        showError(describe(error));
        return;
      }
      const waitSeconds = error instanceof ApiError && error.retryAfter ? error.retryAfter : 3;
      showConnection({ online: false, retryInSeconds: waitSeconds, error });
      await new Promise((resolve) => { setTimeout(resolve, waitSeconds * 1000); });
    }
    if (generation !== state.generation) {
      return;
    }
  }
  showConnection({ mode: 'connecting', online: true });
  await markdownLoaded;
  if (generation !== state.generation) {
    return;
  }
  renderHistory(history);
  const first = history.messages[0];
  const last = [...history.messages, ...history.responses].reduce((latest, item) => (item.timestamp > latest ? item.timestamp : latest), '');
  if (first || last) {
    touchConversation(state.sessionId, { title: first?.message || first?.attachments?.[0]?.name, at: last || undefined });
  }
  const afterId = history.responses.reduce((max, r) => Math.max(max, r.id), 0);
  scrollToBottom();
  ui.transcript.dataset.ready = 'true';

  state.transport = createTransport({
    sessionId: state.sessionId,
    afterId,
    onResponse: receiveResponse,
    onStatus: showStatus,
    onTyping: showTyping,
    onConnection: showConnection,
  });
  state.transport.start();
  for (const message of history.messages) {
    if (message.status !== 'answered') {
      state.transport.watch(message.id);
    }
  }
  updateComposer();
}

/** The agents this visitor may talk to, and the one to open; null when the host wants its visitors signed in first. */
async function loadAgents() {
  state.agents = [];
  try {
    const data = await callApi('agents');
    state.agents = data.agents;
  } catch (error) {
    if (needsSignIn(error)) {
      return null;
    }
    // Without the list the default agent still works; the connection banner reports a dead server.
  }
  if (state.agents.length === 0) {
    state.agents = [defaultAgent()];
  }
  ui.agentSelect.replaceChildren(...state.agents.map((agent) =>
    el('option', { text: agent.name, attrs: { value: agent.id === null ? '' : String(agent.id) } })));
  const saved = embedded ? embedding.agentId : localStorage.getItem(AgentChoiceKey);
  return state.agents.find((a) => String(a.id ?? '') === saved) ?? state.agents[0];
}

// The agent's presence: whether its Broca is polling, and how fast it usually answers (agents' online and
// typical_reply_seconds), asked for again every 30 s.

function showPresence(agent) {
  if (typeof agent.online !== 'boolean') {
    ui.presence.classList.add('d-none');
    ui.presence.textContent = '';
    delete ui.presence.dataset.online;
    return;
  }
  const typical = agent.typical_reply_seconds;
  const text = agent.online
    ? (typeof typical === 'number' ? t('presence.onlineTypical', { wait: formatDuration(Math.max(1, typical)) }) : t('presence.online'))
    : t('presence.offline', { agent: agent.name });
  ui.presence.textContent = text;
  ui.presence.dataset.online = String(agent.online);
  ui.presence.classList.remove('d-none');
}

async function refreshPresence() {
  let agents;
  try {
    agents = (await callApi('agents')).agents;
  } catch {
    return; // the last known presence stays; the connection state tells of a server that is gone
  }
  for (const fresh of agents) {
    const known = state.agents.find((agent) => agent.id === fresh.id);
    if (known) {
      known.online = fresh.online;
      known.typical_reply_seconds = fresh.typical_reply_seconds;
    }
  }
  if (state.agent !== null) {
    showPresence(state.agent);
  }
}

function watchPresence() {
  clearInterval(state.presenceTimer);
  state.presenceTimer = state.agents.some((agent) => typeof agent.online === 'boolean')
    ? setInterval(() => { if (document.visibilityState === 'visible') { refreshPresence(); } }, PresenceRefreshMs)
    : null;
}

// The list of conversations: beside the chat on a wide screen, a drawer on a phone, a menu in the widget.

function agentOf(agentId) {
  return state.agents.find((agent) => (agent.id ?? null) === (agentId ?? null)) ?? null;
}

/** Signed in, the server's list (with the one open now, which has no message yet); otherwise this browser's. */
function listedConversations() {
  if (state.user === null) {
    return visible(state.local);
  }
  const list = state.conversations.map((conversation) => fromServer(conversation, state.local));
  if (state.sessionId !== null && !list.some((entry) => entry.id === state.sessionId)) {
    const open = localEntry(state.sessionId);
    list.unshift(open ?? { id: state.sessionId, agentId: state.agent?.id ?? null, title: '', lastAt: new Date().toISOString() });
  }
  return list;
}

function renderConversations() {
  if (!ui.conversationList) {
    return;
  }
  const entries = listedConversations().filter((entry) => entry.title || entry.id === state.sessionId);
  ui.conversationList.replaceChildren(...entries.map(conversationRow));
}

/** When a conversation last moved, as the list shows it: the time today, the day before that (Intl, the page's locale). */
function listTime(timestamp) {
  const date = new Date(timestamp);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? formatTime(date)
    : formatDate(date, { month: 'short', day: 'numeric', ...(date.getFullYear() === today.getFullYear() ? {} : { year: 'numeric' }) });
}

/** One conversation: its first words, its agent and when it last moved, opening it; and a button taking it off the list. */
function conversationRow(entry) {
  const agent = agentOf(entry.agentId);
  const title = entry.title || t('conv.untitled');
  const current = entry.id === state.sessionId;
  const open = el('button', {
    className: 'conversation-open',
    attrs: { type: 'button', 'data-session-id': entry.id, ...(current ? { 'aria-current': 'true' } : {}) },
  }, [
    el('span', { className: 'conversation-title', text: title, attrs: entry.title ? { dir: 'auto', translate: 'no' } : {} }),
    el('span', { className: 'conversation-meta' }, [
      el('span', { text: entry.agentName ?? agent?.name ?? t('chat.defaultAgent'), attrs: agent || entry.agentName ? { translate: 'no' } : {} }),
      ' · ',
      el('time', { text: listTime(entry.lastAt), attrs: { datetime: entry.lastAt } }),
    ]),
  ]);
  open.disabled = agent === null; // an agent this visitor may no longer talk to
  open.addEventListener('click', () => {
    closeDrawer();
    if (agent !== null && entry.id !== state.sessionId) {
      chooseAgent(agent);
      openConversation(agent, entry.id);
    }
  });
  const remove = el('button', {
    className: 'btn-close conversation-remove',
    attrs: { type: 'button', 'aria-label': t('conv.remove', { title }), title: t('conv.removeShort') },
  });
  remove.addEventListener('click', () => removeConversation(entry));
  return el('li', { className: 'conversation-item', attrs: { 'data-session-id': entry.id } }, [open, remove]);
}

/** The picker follows a conversation opened from the list, and is remembered as the agent to open next time. */
function chooseAgent(agent) {
  ui.agentSelect.value = agent.id === null ? '' : String(agent.id);
  if (!embedded) {
    localStorage.setItem(AgentChoiceKey, ui.agentSelect.value);
  }
}

/** A fresh conversation with the agent shown; the one open stays in the list. An empty one open is reused. */
function startNewConversation() {
  closeDrawer();
  const open = localEntry(state.sessionId);
  if (open !== null && !open.title && state.bubbles.size === 0 && ui.transcript.querySelector('.message') === null) {
    ui.input.focus();
    return;
  }
  const entry = addConversation(state.agent);
  openConversation(state.agent, entry.id).then(() => ui.input.focus());
}

/**
 * Takes a conversation off the list: hidden, not deleted (an admin still sees it). Signed in, on the server
 * (hide_session), so every device agrees. The one open gives way to the agent's next latest, or a new one.
 */
async function removeConversation(entry) {
  if (state.user !== null && state.conversations.some((conversation) => conversation.session_id === entry.id)) {
    try {
      await callApi('hide_session', { method: 'POST', body: { session_id: entry.id } });
    } catch (error) {
      showError(describe(error));
      return;
    }
    state.conversations = state.conversations.filter((conversation) => conversation.session_id !== entry.id);
  }
  const mine = localEntry(entry.id);
  if (mine !== null) {
    mine.hidden = true;
    saveConversations();
  }
  if (entry.id === state.sessionId) {
    const agent = state.agent;
    if (!embedded) {
      localStorage.removeItem(sessionStorageKey(agent));
    }
    const next = state.user === null ? latestFor(state.local, agent.id) : null;
    await openConversation(agent, next?.id ?? (state.user === null ? addConversation(agent).id : sessionFor(agent)));
  } else {
    renderConversations();
  }
  ui.newConversation.focus();
}

// On a phone (and in the widget) the list is a drawer over the chat.

function openDrawer() {
  ui.conversationPanel.classList.add('open');
  ui.conversationToggle.setAttribute('aria-expanded', 'true');
  ui.newConversation.focus();
}

function closeDrawer() {
  if (!ui.conversationPanel.classList.contains('open')) {
    return;
  }
  ui.conversationPanel.classList.remove('open');
  ui.conversationToggle.setAttribute('aria-expanded', 'false');
  ui.conversationToggle.focus();
}

function wireConversations() {
  ui.newConversation.addEventListener('click', startNewConversation);
  ui.conversationToggle.addEventListener('click', () => (ui.conversationPanel.classList.contains('open') ? closeDrawer() : openDrawer()));
  ui.conversationClose.addEventListener('click', closeDrawer);
  ui.conversationPanel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && ui.conversationPanel.classList.contains('open')) {
      event.stopPropagation();
      closeDrawer();
    }
  });
  // Embedded, the host site's storage holds the list: the loader hands it over once the panel says hello.
  document.addEventListener('chatbridge:conversations', (event) => {
    if (event.detail.fromPanel) {
      return; // the page's own change, on its way to the loader
    }
    for (const entry of cleanList(event.detail.conversations)) {
      const mine = localEntry(entry.id);
      if (mine === null) {
        state.local.push(entry);
      } else {
        Object.assign(mine, { token: mine.token ?? entry.token, title: mine.title || entry.title, hidden: entry.hidden });
        mine.lastAt = entry.lastAt > mine.lastAt ? entry.lastAt : mine.lastAt;
      }
    }
    setSessionToken(state.sessionId, localEntry(state.sessionId)?.token ?? null);
    renderConversations();
  });
}

// Signing in with a Sanctum account.

/** Keeps the conversation shown as the agent's for next time; embedded, the site's loader keeps it (see panel.js). */
function rememberSession(agent, sessionId) {
  if (!embedded) {
    localStorage.setItem(sessionStorageKey(agent), sessionId);
  } else if (sessionId !== state.embeddedSession) {
    state.embeddedSession = sessionId;
    announce('session', { sessionId });
  }
}

/**
 * The conversations this browser holds: at sign-in they become the user's. One bound to a token is sent with it
 * (`{session_id, token}`), since the server hands a bound session over only to whoever can prove it.
 */
function localSessions() {
  const ids = new Set(state.local.filter((entry) => !entry.hidden).map((entry) => entry.id));
  if (embedded) {
    ids.add(state.embeddedSession);
  } else {
    Object.keys(localStorage).filter((key) => key.startsWith(SessionKeyPrefix)).forEach((key) => ids.add(localStorage.getItem(key)));
  }
  return [...ids].map((id) => {
    const token = sessionTokenFor(id) ?? localEntry(id)?.token ?? null;
    return token === null ? id : { session_id: id, token };
  });
}

function storedToken() {
  try {
    return sessionStorage.getItem(TokenStorageKey);
  } catch {
    return null; // storage refused in this frame: the sign-in lasts as long as the panel
  }
}

function storeToken(token) {
  setSanctumSession(token);
  try {
    if (token === null) {
      sessionStorage.removeItem(TokenStorageKey);
    } else {
      sessionStorage.setItem(TokenStorageKey, token);
    }
  } catch {
    // As above.
  }
}

/** Whether this browser (or, embedded, this tab's panel) is still signed in from before. */
async function restoreSignIn() {
  if (embedded) {
    const token = storedToken();
    if (token === null) {
      return;
    }
    setSanctumSession(token);
  }
  try {
    state.user = await currentUser();
  } catch {
    state.user = null; // unknown for now: the page works as a visitor's
  }
  if (embedded && state.user === null) {
    storeToken(null);
  }
  await loadConversations();
  renderAccount();
}

async function loadConversations() {
  state.conversations = [];
  if (state.user === null) {
    return;
  }
  try {
    // A conversation without a message yet (a page opened on another device) is nothing to go back to.
    state.conversations = (await callApi('my_sessions')).sessions.filter((conversation) => conversation.title);
  } catch {
    // Without the list the browser's own conversations still open.
  }
}

/** Loads the agents and opens the chosen one's conversation, or asks for a sign-in where the host wants one. */
async function start() {
  const agent = await loadAgents();
  if (agent === null) {
    showGate();
    return;
  }
  hideGate();
  watchPresence();
  ui.agentSelect.value = agent.id === null ? '' : String(agent.id);
  await openConversation(agent);
}

function renderAccount() {
  const user = state.user;
  ui.accountButton.textContent = user === null ? t('account.signIn') : user.username;
  ui.accountButton.translate = user === null;
  if (user === null) {
    ui.accountButton.removeAttribute('aria-label');
  } else {
    ui.accountButton.setAttribute('aria-label', t('account.menu', { name: user.username }));
  }
  ui.accountButton.dataset.signedIn = String(user !== null);
  ui.accountName.textContent = user?.username ?? '';
  ui.conversations.replaceChildren(...(state.conversations.length === 0
    ? [el('li', { className: 'text-body-secondary small', text: t('account.noConversations') })]
    : state.conversations.map(conversationItem)));
}

/** One of the user's conversations: its first words, its agent and how long ago; opens it. */
function conversationItem(conversation) {
  const agent = state.agents.find((a) => (a.id ?? null) === (conversation.agent_id ?? null));
  const title = el('span', { className: 'd-block text-truncate', text: conversation.title, attrs: { dir: 'auto', translate: 'no' } });
  const when = conversation.last_message_at ?? conversation.last_active;
  const button = el('button', {
    className: 'btn btn-link text-start p-0 w-100 conversation-link',
    attrs: { type: 'button', 'data-session-id': conversation.session_id, 'aria-current': String(conversation.session_id === state.sessionId) },
  }, [
    title,
    el('span', { className: 'd-block small text-body-secondary' }, [
      el('span', { text: conversation.agent_name ?? agent?.name ?? t('chat.defaultAgent'), attrs: conversation.agent_name ? { translate: 'no' } : {} }),
      ' · ',
      el('time', { text: formatRelative(when), attrs: { datetime: when } }),
    ]),
  ]);
  button.disabled = agent === undefined; // an agent this user may no longer talk to
  button.addEventListener('click', () => {
    ui.accountDialog.close();
    ui.agentSelect.value = agent.id === null ? '' : String(agent.id);
    if (!embedded) {
      localStorage.setItem(AgentChoiceKey, ui.agentSelect.value);
    }
    openConversation(agent, conversation.session_id);
  });
  return el('li', { className: 'mb-2' }, [button]);
}

/** The form in the dialog (the header's button) or in place of the chat (a host that wants its visitors signed in). */
function showSignInForm(inGate) {
  ui.signInError.classList.add('d-none');
  ui.signInReason.classList.toggle('d-none', !inGate);
  ui.signInCancel.classList.toggle('d-none', inGate);
  ui.accountPanel.classList.add('d-none');
  if (inGate) {
    ui.gate.append(ui.signInForm);
  } else {
    ui.accountDialog.prepend(ui.signInForm);
  }
}

function openAccountDialog() {
  const signedIn = state.user !== null;
  if (signedIn) {
    renderAccount();
    // The list may have grown on another device since: shown at once, refreshed behind.
    loadConversations().then(renderAccount);
  } else {
    showSignInForm(false);
  }
  ui.signInForm.classList.toggle('d-none', signedIn);
  ui.accountPanel.classList.toggle('d-none', !signedIn);
  ui.accountDialog.setAttribute('aria-labelledby', signedIn ? 'account-dialog-title' : 'sign-in-title');
  ui.accountDialog.showModal();
}

function showGate() {
  state.transport?.stop();
  state.transport = null;
  state.generation += 1;
  ui.accountDialog.close();
  ui.signInForm.classList.remove('d-none');
  showSignInForm(true);
  ui.main.classList.add('d-none');
  ui.composer.classList.add('d-none');
  ui.conversationPanel.classList.add('d-none');
  ui.conversationToggle.classList.add('d-none');
  ui.gate.classList.remove('d-none');
  ui.accountButton.classList.add('d-none');
  ui.username.focus();
}

function hideGate() {
  if (ui.gate.classList.contains('d-none')) {
    return;
  }
  ui.gate.classList.add('d-none');
  ui.main.classList.remove('d-none');
  ui.composer.classList.remove('d-none');
  ui.conversationPanel.classList.remove('d-none');
  ui.conversationToggle.classList.remove('d-none');
  ui.accountButton.classList.remove('d-none');
  ui.accountDialog.prepend(ui.signInForm);
}

async function submitSignIn() {
  const username = ui.username.value.trim();
  const password = ui.password.value;
  if (username === '' || password === '') {
    (username === '' ? ui.username : ui.password).focus();
    return;
  }
  ui.signInSubmit.disabled = true;
  ui.signInError.classList.add('d-none');
  try {
    const data = await signIn({ username, password, sessions: localSessions(), frame: embedded });
    if (embedded) {
      storeToken(data.session_token);
    }
    // The page reopens as the user's: a message sent meanwhile would land in a conversation about to be left.
    closeConversation();
    state.user = data.user;
    ui.password.value = '';
    ui.accountDialog.close();
    await loadConversations();
    renderAccount();
    // Agents may be offered to some users only: the list is the signed-in user's now.
    await start();
  } catch (error) {
    ui.signInError.textContent = signInErrorText(error);
    ui.signInError.classList.remove('d-none');
  } finally {
    ui.signInSubmit.disabled = false;
  }
}

/** Signed out, the browser forgets the user's conversations: the next person here starts afresh. */
async function submitSignOut() {
  ui.signOut.disabled = true;
  await signOut();
  ui.signOut.disabled = false;
  ui.accountDialog.close();
  closeConversation();
  state.user = null;
  state.conversations = [];
  if (embedded) {
    storeToken(null);
    const entry = createEntry(state.agent?.id ?? null);
    state.local = [entry];
    saveConversations();
    rememberSession(null, entry.id);
  } else {
    for (const key of Object.keys(localStorage).filter((name) => name.startsWith(SessionKeyPrefix))) {
      localStorage.removeItem(key);
    }
    clearLocalList();
    state.local = [];
  }
  renderAccount();
  await start();
}

function wireAccount() {
  ui.accountButton.addEventListener('click', openAccountDialog);
  ui.signInForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submitSignIn();
  });
  ui.signInCancel.addEventListener('click', () => ui.accountDialog.close());
  ui.accountClose.addEventListener('click', () => ui.accountDialog.close());
  ui.signOut.addEventListener('click', submitSignOut);
}

function wireEvents() {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  ui.input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  ui.input.addEventListener('input', growInput);
  ui.transcript.addEventListener('scroll', () => {
    if (isNearBottom()) {
      ui.jump.classList.add('d-none');
    }
  });
  ui.jump.addEventListener('click', scrollToBottom);
  document.addEventListener('visibilitychange', markRead);
  wireAccount();
  wireConversations();
  ui.agentSelect.addEventListener('change', () => {
    const agent = state.agents.find((a) => String(a.id ?? '') === ui.agentSelect.value) ?? state.agents[0];
    localStorage.setItem(AgentChoiceKey, ui.agentSelect.value);
    openConversation(agent);
  });
}

async function main() {
  await ready;
  tray = createTray({
    tray: ui.attachments,
    input: ui.fileInput,
    button: ui.attachButton,
    dropZone: document.body,
    paste: ui.input,
    hint: ui.attachHint,
    sessionId: () => state.sessionId,
    onChange: updateComposer,
    onError: showError,
  });
  if (!embedded) {
    alerts = createAlerts(ui.alertsToggle);
    languageMenu(ui.languageSelect);
  }
  state.local = embedded ? embeddedConversations() : loadLocalList();
  if (!embedded) {
    saveLocalList(state.local);
  }
  feedback = createFeedback({ sessionId: () => state.sessionId });
  wireEvents();
  announce('ready'); // the panel hands over the host site's list of conversations from now on
  updateComposer();
  await restoreSignIn();
  await start();
}

main();
