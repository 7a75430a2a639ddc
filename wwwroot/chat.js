// The chat page: one conversation per agent, kept across reloads, replies from a swappable transport.

import { ApiError, callApi, copyText, el, randomHex } from './api.js';
import { createAlerts } from './alerts.js';
import { apiErrorText, formatNumber, formatTime, languageMenu, ready, t } from './i18n.js';
import { createTransport, deliveryProgress } from './transport.js';

const AgentChoiceKey = 'chatbridge.agent';
// A page that embeds this chat (the widget's panel, /widget/) describes itself on <body> before this module runs:
// data-session-id, data-agent-id, data-greeting. The embedding keeps the session: a framed page's own storage is
// partitioned or blocked by browsers, so this page then never touches localStorage.
const embedding = document.body.dataset;
const embedded = embedding.sessionId !== undefined;
// The server's typing start expires after 15 s without a stop; this covers a stop that never reaches us.
const TypingSafetyMs = 20000;
// Delivery states with a label in the catalogue (status.*); another state shows as it came.
const Statuses = ['sending', 'pending', 'delivered', 'answered', 'failed'];

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
  alertsToggle: document.getElementById('alerts-toggle'),
  languageSelect: document.getElementById('language-select'),
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
};

// The reply renderer (markdown-it and DOMPurify, about 67 KB gzipped) downloads beside the page's own scripts instead
// of holding them back: the first conversation waits for it before it shows a reply (openConversation).
let renderMarkdown = null;
const markdownLoaded = import('./markdown.js').then((module) => { renderMarkdown = module.renderMarkdown; });

// Embedded, the widget's own notifications and sound options apply, and the toggle's choice could not be stored.
let alerts = null;

// Sessions: one per agent, remembered in localStorage.

function sessionStorageKey(agent) {
  return `chatbridge.session.${agent.id ?? 'default'}`;
}

/** `session_` and 128 random bits as hex: 40 characters, inside the contract's 64. */
function newSessionId() {
  return `session_${randomHex(16)}`;
}

function sessionFor(agent) {
  if (embedded) {
    return embedding.sessionId;
  }
  const key = sessionStorageKey(agent);
  const stored = localStorage.getItem(key);
  if (stored && /^session_[A-Za-z0-9_]+$/.test(stored) && stored.length <= 64) {
    return stored;
  }
  const created = newSessionId();
  localStorage.setItem(key, created);
  return created;
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

function userBubble(text, timestamp) {
  const body = el('div', { className: 'bubble-text', text, attrs: { dir: 'auto' } });
  const status = el('span', { className: 'message-status' });
  const time = el('time', { text: formatTime(timestamp), attrs: { datetime: timestamp } });
  const actions = el('span', { className: 'message-actions' }, [copyButton(() => text)]);
  const node = el('article', { className: 'message message-user', attrs: { 'aria-label': t('chat.you') } }, [
    el('div', { className: 'bubble' }, [body]),
    el('div', { className: 'message-meta' }, [time, status, actions]),
  ]);
  const bubble = { node, text, status, actions, retry: null, reason: null };
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
  const className = response.author === 'admin' ? 'message message-agent message-person' : 'message message-agent';
  const author = response.author === 'admin' ? {} : { translate: 'no' }; // an agent's name is data, "Support (person)" is ours
  return el('article', { className, attrs: { 'aria-label': name, 'data-response-id': String(response.id), 'data-author': response.author ?? 'agent' } }, [
    el('div', { className: 'message-author', text: name, attrs: author }),
    el('div', { className: 'bubble' }, [el('div', { className: 'bubble-text markdown', attrs: { dir: 'auto' } }, [renderMarkdown(response.response)])]),
    el('div', { className: 'message-meta' }, [
      el('time', { text: formatTime(response.timestamp), attrs: { datetime: response.timestamp } }),
      el('span', { className: 'message-actions' }, [copyButton(() => response.response)]),
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
  return true;
}

/** A live reply: shown, passed to an embedding page, and counted in the title (with the alerts the reader switched on) while the tab is hidden. */
function receiveResponse(response) {
  if (!showResponse(response)) {
    return;
  }
  announce('reply', response);
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
  return state.transport !== null && !state.sending && Date.now() >= state.blockedUntil;
}

function updateComposer() {
  ui.send.disabled = !canSend();
  ui.sendSpinner.classList.toggle('d-none', !state.sending);
  ui.sendLabel.textContent = state.sending ? t('chat.sendingButton') : t('chat.send');
  ui.send.setAttribute('aria-busy', String(state.sending));
}

// Sending.

async function send(bubble) {
  if (!canSend()) {
    return;
  }
  const generation = state.generation;
  state.sending = true;
  updateComposer();
  setBubbleStatus(bubble, 'sending');
  const body = { session_id: state.sessionId, message: bubble.text, timestamp: new Date().toISOString() };
  if (state.agent.id !== null) {
    body.agent_id = state.agent.id;
  }
  try {
    const data = await callApi('messages', { method: 'POST', body });
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
    announce('sent', { text: bubble.text, messageId: data.message_id });
  } catch (error) {
    if (generation !== state.generation) {
      return;
    }
    setBubbleStatus(bubble, 'failed', describe(error));
    if (error instanceof ApiError && error.status === 429) {
      blockSending(error.retryAfter ?? 60);
    } else {
      showError(describe(error));
    }
  } finally {
    state.sending = false;
    updateComposer();
  }
}

function submit() {
  const text = ui.input.value.trim();
  if (!text || !canSend()) {
    return;
  }
  const bubble = userBubble(text, new Date().toISOString());
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
      const bubble = userBubble(item.message.message, item.message.timestamp);
      bubble.node.dataset.messageId = String(item.message.id);
      bubble.progress = deliveryProgress(item.message.status, item.message.delivery_count);
      setBubbleStatus(bubble, item.message.status);
      state.bubbles.set(item.message.id, bubble);
      append(bubble.node);
    } else {
      showResponse(item.response);
    }
  }
}

function describeAgent(agent) {
  ui.agentName.textContent = agent.name;
  ui.agentAvatar.textContent = agent.name.slice(0, 1).toUpperCase();
  // An agent's description and a site's greeting are data, not the page's own words.
  ui.agentDescription.textContent = agent.description || t('chat.online');
  ui.agentDescription.translate = !agent.description;
  ui.emptyState.textContent = embedding.greeting || t('chat.sayHelloTo', { agent: agent.name });
  ui.emptyState.translate = !embedding.greeting;
  updateTitle();
}

async function openConversation(agent) {
  state.transport?.stop();
  state.transport = null;
  showTyping({ state: 'stop' });
  showConnectionState('connecting');
  updateComposer();
  state.generation += 1;
  const generation = state.generation;
  state.agent = agent;
  state.sessionId = sessionFor(agent);
  state.bubbles.clear();
  state.earlyStatuses.clear();
  state.shownResponses.clear();
  state.unread = 0;
  ui.transcript.replaceChildren(systemNote(t('chat.talkingTo', { agent: agent.name })));
  ui.emptyState.classList.remove('d-none');
  ui.transcript.dataset.sessionId = state.sessionId;
  delete ui.transcript.dataset.ready;
  describeAgent(agent);
  clearError();

  let history = null;
  while (history === null) {
    try {
      history = await callApi('history', { query: { session_id: state.sessionId } });
    } catch (error) {
      if (generation !== state.generation) {
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

async function loadAgents() {
  try {
    const data = await callApi('agents');
    state.agents = data.agents;
  } catch {
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
  ui.agentSelect.addEventListener('change', () => {
    const agent = state.agents.find((a) => String(a.id ?? '') === ui.agentSelect.value) ?? state.agents[0];
    localStorage.setItem(AgentChoiceKey, ui.agentSelect.value);
    openConversation(agent);
  });
}

async function main() {
  await ready;
  if (!embedded) {
    alerts = createAlerts(ui.alertsToggle);
    languageMenu(ui.languageSelect);
  }
  wireEvents();
  updateComposer();
  const agent = await loadAgents();
  ui.agentSelect.value = agent.id === null ? '' : String(agent.id);
  await openConversation(agent);
}

main();
