// The admin page: sessions, transcripts, settings and clean-up, all through the admin actions.

import { currentUser, signIn, signInErrorText, signOut as endSignIn } from './account.js';
import { ApiError, callApi, el } from './api.js';
import { attachmentList } from './attachments.js';
import { download, transcriptItems, transcriptJson, transcriptMarkdown } from './export.js';
import { apiErrorText, formatDuration, formatList, formatNumber, formatRelative, formatTime, languageMenu, ready, t } from './i18n.js';
import { createServiceDashboard } from './stats.js';

const KeyStorage = 'chatbridge.adminKey';
const PageSize = 20;
const BacklogSize = 50;
/** How long the server may hold a request for changes; under its 30 s maximum. */
const EventWaitSeconds = 25;
/** Changes arriving together are shown in one refresh, this long after the first of them. */
const RefreshDelayMs = 150;
/** After a failed request for changes, the page tries again after this pause. */
const EventRetryMs = 2000;
/**
 * After an answer that carried changes, the page asks again this much later: the feed keeps what happens meanwhile
 * (after the page's cursor), so on a busy day the page asks once a second instead of once per message.
 */
const EventPauseMs = 1000;
/** Typing in the search box waits this long for a pause before asking the server. */
const SearchDelayMs = 250;
/** "Last activity" says how long ago; it is said again this often, so it does not go stale on an idle page. */
const RelativeRefreshMs = 60000;
const KeyNames = ['api_key', 'admin_key'];
// Settings with a label in the catalogue (setting.*); another one the server adds shows under its own name.
const NumberSettings = [
  'session_timeout', 'max_message_length', 'rate_limit_messages', 'rate_limit_responses', 'rate_limit_inbox',
  'rate_limit_outbox', 'rate_limit_sessions',
];

const ui = {
  error: document.getElementById('admin-error'),
  notice: document.getElementById('admin-notice'),
  signIn: document.getElementById('sign-in'),
  signInForm: document.getElementById('sign-in-form'),
  keyInput: document.getElementById('admin-key'),
  accountForm: document.getElementById('account-form'),
  accountUsername: document.getElementById('account-username'),
  accountPassword: document.getElementById('account-password'),
  signedInAs: document.getElementById('signed-in-as'),
  signOut: document.getElementById('sign-out'),
  dashboard: document.getElementById('dashboard'),
  activeOnly: document.getElementById('active-only'),
  filters: document.getElementById('session-filters'),
  search: document.getElementById('session-search'),
  agentFilter: document.getElementById('agent-filter'),
  waitingOnly: document.getElementById('waiting-only'),
  ratedDownOnly: document.getElementById('rated-down-only'),
  backlogList: document.getElementById('backlog-list'),
  brocaList: document.getElementById('broca-list'),
  backlogTotal: document.getElementById('backlog-total'),
  refreshBacklog: document.getElementById('refresh-backlog'),
  refreshStats: document.getElementById('refresh-stats'),
  refresh: document.getElementById('refresh-sessions'),
  sessionsBody: document.getElementById('sessions-body'),
  sessionsTotal: document.getElementById('sessions-total'),
  sessionsRange: document.getElementById('sessions-range'),
  prev: document.getElementById('prev-page'),
  next: document.getElementById('next-page'),
  transcript: document.getElementById('admin-transcript'),
  transcriptSession: document.getElementById('transcript-session'),
  transcriptUser: document.getElementById('transcript-user'),
  exportMarkdown: document.getElementById('export-markdown'),
  exportJson: document.getElementById('export-json'),
  replyForm: document.getElementById('admin-reply-form'),
  replyInput: document.getElementById('admin-reply-input'),
  replySend: document.getElementById('admin-reply-send'),
  configForm: document.getElementById('config-form'),
  configKeys: document.getElementById('config-keys'),
  configNumbers: document.getElementById('config-numbers'),
  cleanup: document.getElementById('cleanup'),
  clearForm: document.getElementById('clear-form'),
  clearConfirm: document.getElementById('clear-confirm'),
  clearData: document.getElementById('clear-data'),
  languageSelect: document.getElementById('language-select'),
};

const state = {
  offset: 0,
  account: null, // the Sanctum account of role admin the console runs on (its cookie), when there is no key
  config: null,
  openSession: null,
  transcript: null,
  searchTimer: null,
  agents: new Map(),
  // The live-update loop: aborted on sign-out; the pending refresh and what it must reload.
  events: null,
  refreshTimer: null,
  refresh: { transcript: false },
};

/**
 * The Markdown renderer (markdown-it and DOMPurify, about 45 KB gzipped), loaded with the first transcript: the sign-in
 * form and the lists do not wait for it.
 */
let markdownModule = null;

function markdown() {
  markdownModule ??= import('./markdown.js');
  return markdownModule;
}

const serviceDashboard = createServiceDashboard({ load: () => admin('stats'), agentName });

function adminKey() {
  return sessionStorage.getItem(KeyStorage);
}

/** What proves the admin to /files once a link has expired: the key, or nothing beyond the sign-in's own cookie. */
function fileHeaders() {
  const key = adminKey();
  return key === null ? {} : { Authorization: `Bearer ${key}` };
}

/**
 * An admin call, with the key, or without one on the cookie of an admin account's sign-in; a refused key, an ended
 * sign-in or an account that is not an admin's sends the admin back to the sign-in form.
 */
async function admin(action, options = {}) {
  const key = adminKey();
  try {
    return await callApi(action, key === null ? options : { ...options, key });
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.message === 'Admin access required')) {
      leaveDashboard();
    }
    throw error;
  }
}

function describe(error) {
  if (!(error instanceof ApiError)) {
    return t('admin.error.page', { reason: error.message });
  }
  if (error.isNetwork) {
    return t('admin.error.network');
  }
  if (error.status === 401) {
    return t('admin.error.refusedKey', { reason: apiErrorText(error.message) });
  }
  if (error.status === 429) {
    return t('admin.error.rateLimited', { wait: formatDuration(error.retryAfter ?? 60) });
  }
  return t('admin.error.api', { reason: apiErrorText(error.message), status: error.status });
}

function showError(error) {
  ui.notice.classList.add('d-none');
  ui.error.textContent = describe(error);
  ui.error.classList.remove('d-none');
}

function showAccountError(error) {
  ui.notice.classList.add('d-none');
  ui.error.textContent = signInErrorText(error);
  ui.error.classList.remove('d-none');
}

function showNotice(text) {
  ui.error.classList.add('d-none');
  ui.notice.textContent = text;
  ui.notice.classList.remove('d-none');
}

function clearAlerts() {
  ui.error.classList.add('d-none');
  ui.notice.classList.add('d-none');
}

/** Runs an action for a button, keeping the button disabled while it runs and reporting any failure. */
async function run(button, work) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// Sign-in.

function leaveDashboard() {
  sessionStorage.removeItem(KeyStorage);
  state.account = null;
  state.events?.abort();
  state.events = null;
  ui.dashboard.classList.add('d-none');
  ui.signOut.classList.add('d-none');
  ui.signedInAs.classList.add('d-none');
  ui.signIn.classList.remove('d-none');
}

/** Forgets the key and ends an account's sign-in, which is this browser's on the chat page too. */
async function signOut() {
  const account = state.account;
  leaveDashboard();
  if (account !== null) {
    await endSignIn();
  }
}

async function showDashboard() {
  ui.signIn.classList.add('d-none');
  ui.signOut.classList.remove('d-none');
  ui.signedInAs.textContent = state.account === null ? '' : t('account.signedInAs', { name: state.account.username });
  ui.signedInAs.classList.toggle('d-none', state.account === null);
  ui.dashboard.classList.remove('d-none');
  // The live position is taken before the lists load: whatever happens while they load comes as events after it
  // (taken after, a session that arrived in between would show only once something else changed).
  // A refused key fails here first, like any load: the sign-in form says why.
  const { cursor } = await admin('admin_events');
  await Promise.all([loadAgents().then(() => serviceDashboard.refresh()), loadSessions(), loadBacklog(), loadConfig()]);
  followChanges(cursor);
}

// Live updates: a long poll on admin_events (the key in the Authorization header, as for every call), so the list,
// the backlog and an open transcript follow new messages and replies by themselves.

function followChanges(from) {
  state.events?.abort();
  const controller = new AbortController();
  state.events = controller;
  pollChanges(controller.signal, from);
}

async function pollChanges(signal, from) {
  let cursor = from;
  while (!signal.aborted) {
    try {
      const data = await admin('admin_events', {
        query: { after: cursor ?? undefined, wait: cursor === null ? undefined : EventWaitSeconds },
        signal,
      });
      const changed = cursor !== null && (data.reset || data.events.length > 0);
      if (changed) {
        scheduleRefresh(data.reset || data.events.some((event) => event.session_id === state.openSession));
      }
      cursor = data.cursor;
      if (changed) {
        await new Promise((resolve) => { setTimeout(resolve, EventPauseMs); });
      }
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      await new Promise((resolve) => { setTimeout(resolve, EventRetryMs); });
    }
  }
}

function scheduleRefresh(transcriptChanged) {
  state.refresh.transcript ||= transcriptChanged;
  if (state.refreshTimer !== null) {
    return;
  }
  state.refreshTimer = setTimeout(() => {
    const reloadTranscript = state.refresh.transcript && state.openSession !== null;
    state.refreshTimer = null;
    state.refresh.transcript = false;
    Promise.all([
      loadSessions(),
      loadBacklog(),
      reloadTranscript ? openTranscript(state.openSession) : null,
    ]).catch(showError);
  }, RefreshDelayMs);
}

// Sessions and transcripts.

/** The agents of the control database, for the filter and to name a session's agent. */
async function loadAgents() {
  const data = await callApi('agents');
  state.agents = new Map(data.agents.map((agent) => [agent.id, agent.name]));
  ui.agentFilter.replaceChildren(
    el('option', { text: t('admin.allAgents'), attrs: { value: '' } }),
    ...data.agents.map((agent) => el('option', { text: agent.name, attrs: { value: String(agent.id), translate: 'no' } })),
  );
}

function agentName(id) {
  return state.agents.get(id) ?? t('admin.agentNumber', { id });
}

function sessionQuery() {
  const search = ui.search.value.trim();
  return {
    limit: PageSize,
    offset: state.offset,
    active: ui.activeOnly.checked,
    q: search === '' ? undefined : search,
    agent_id: ui.agentFilter.value === '' ? undefined : ui.agentFilter.value,
    waiting: ui.waitingOnly.checked ? true : undefined,
    rated: ui.ratedDownOnly.checked ? 'down' : undefined,
  };
}

function isFiltered() {
  return ui.search.value.trim() !== '' || ui.agentFilter.value !== '' || ui.waitingOnly.checked || ui.ratedDownOnly.checked;
}

/**
 * Wraps a call that fills one part of the page so that only its newest call's answer is used (null for the others):
 * filters, pushes and clicks ask again before an earlier answer is back, and an older answer that comes back last
 * must not show what the page no longer asks for.
 */
function newestOnly(call) {
  let newest = 0;
  return async (...args) => {
    const mine = ++newest;
    const data = await call(...args);
    return mine === newest ? data : null;
  };
}

const fetchSessions = newestOnly(() => admin('sessions', { query: sessionQuery() }));
const fetchTranscript = newestOnly((sessionId) => admin('session_messages', { query: { session_id: sessionId } }));
const fetchBacklog = newestOnly(() => admin('backlog', { query: { limit: BacklogSize } }));

async function loadSessions() {
  const data = await fetchSessions();
  if (data === null) {
    return;
  }
  const { total, offset, has_more: hasMore } = data.pagination;
  ui.sessionsTotal.textContent = formatNumber(total);
  ui.sessionsRange.textContent = total === 0
    ? t('admin.noSessionsRange')
    : t('admin.range', { first: offset + 1, last: offset + data.sessions.length, total });
  ui.prev.disabled = offset === 0;
  ui.next.disabled = !hasMore;
  if (data.sessions.length === 0) {
    ui.sessionsBody.replaceChildren(el('tr', {}, [
      el('td', { className: 'text-body-secondary empty-row', text: emptyText(), attrs: { colspan: '5' } }),
    ]));
    return;
  }
  showKeepingUnchanged(ui.sessionsBody, data.sessions.map(sessionRow), (row) => row.dataset.sessionId);
}

/**
 * Puts fresh items (rows, list items) into a list, keeping each item already shown under the same key and, in it,
 * each child element that did not change; items are moved only when their order changed. Live updates redraw the
 * lists often, and a button removed or swapped for an equal one between a press and its release loses that click.
 */
function showKeepingUnchanged(list, fresh, keyOf) {
  const shown = new Map([...list.children].filter((node) => keyOf(node)).map((node) => [keyOf(node), node]));
  const items = fresh.map((item) => {
    const kept = shown.get(keyOf(item));
    if (!kept || kept.children.length !== item.children.length) {
      return item;
    }
    kept.className = item.className;
    [...item.children].forEach((child, index) => {
      if (!kept.children[index].isEqualNode(child)) {
        kept.children[index].replaceWith(child);
      }
    });
    return kept;
  });
  items.forEach((item, index) => {
    if (list.children[index] !== item) {
      list.insertBefore(item, list.children[index] ?? null);
    }
  });
  while (list.children.length > items.length) {
    list.lastElementChild.remove();
  }
}

function emptyText() {
  if (isFiltered()) {
    return t('admin.noMatch');
  }
  return ui.activeOnly.checked ? t('admin.noActiveSessions') : t('admin.noSessions');
}

function sessionRow(session) {
  const open = el('button', { className: 'btn btn-outline-primary btn-sm', text: t('admin.open'), attrs: { type: 'button', 'aria-label': t('admin.openSession', { id: session.id }) } });
  open.addEventListener('click', () => run(open, () => openTranscript(session.id)));
  // data-label names each cell where a phone shows the row as a card instead of a table row.
  const row = el('tr', { attrs: { 'data-session-id': session.id } }, [
    el('td', { className: 'session-cell' }, [
      sessionId(session.id, 'div'),
      el('div', { className: 'small text-body-secondary' }, [
        t('admin.uidLabel'),
        ' ',
        el('span', { text: session.uid, attrs: { dir: 'ltr', translate: 'no' } }),
        ...(session.agent_id ? [' · ', el('span', { text: agentName(session.agent_id), attrs: { translate: 'no' } })] : []),
        ...(session.username ? [' · ', t('admin.userLabel'), ' ', el('span', { className: 'session-user', text: session.username, attrs: { dir: 'auto', translate: 'no' } })] : []),
      ]),
      ...(session.exhausted_count > 0 ? [exhaustedBadge(session.exhausted_count)] : []),
    ]),
    el('td', { className: 'text-end', text: formatNumber(session.message_count), attrs: { 'data-label': t('admin.col.messages') } }),
    el('td', { className: 'text-end', text: formatNumber(session.response_count), attrs: { 'data-label': t('admin.col.replies') } }),
    el('td', { className: 'small', attrs: { 'data-label': t('admin.col.lastActivity') } }, [relativeTime(session.last_active)]),
    el('td', { className: 'text-end action-cell' }, [open]),
  ]);
  row.classList.toggle('table-active', session.id === state.openSession);
  return row;
}

/** Messages inbox handed out as often as allowed that no reply ever answered: they need a person. */
function exhaustedBadge(count) {
  return el('span', {
    className: 'badge text-bg-warning exhausted-badge',
    text: t('admin.exhausted', { count }),
  });
}

/** A session id: data, left to right in any language, never translated. */
function sessionId(id, tag = 'span') {
  return el(tag, { className: 'session-id', text: id, attrs: { dir: 'ltr', translate: 'no' } });
}

/** "5 min ago", with the date and time as its tooltip; said again every minute (see RelativeRefreshMs). */
function relativeTime(timestamp) {
  return el('time', { text: formatRelative(timestamp), attrs: { datetime: timestamp, title: formatTime(timestamp, { withDate: true }), 'data-relative': '' } });
}

function refreshRelativeTimes() {
  for (const time of document.querySelectorAll('time[data-relative]')) {
    time.textContent = formatRelative(time.dateTime);
  }
}

/** A message's delivery state in words, naming one that went unanswered after every delivery. */
function messageStatusText(message) {
  if (message.exhausted) {
    return t('admin.notAnswered', { count: message.delivery_count });
  }
  // The admin's words are the API's (pending, delivered, answered, dropped), not the chat page's Sent and Delivered.
  return ['pending', 'delivered', 'answered', 'dropped'].includes(message.status) ? t(`admin.status.${message.status}`) : message.status;
}

async function openTranscript(sessionId) {
  const data = await fetchTranscript(sessionId);
  if (data === null) {
    return;
  }
  state.openSession = sessionId;
  for (const row of ui.sessionsBody.querySelectorAll('tr')) {
    row.classList.toggle('table-active', row.dataset.sessionId === sessionId);
  }
  state.transcript = data;
  ui.transcriptSession.textContent = sessionId;
  showTranscriptUser(data.session.username);
  ui.replyForm.classList.remove('d-none');
  ui.exportMarkdown.disabled = false;
  ui.exportJson.disabled = false;
  const items = transcriptItems(data);
  if (items.length === 0) {
    ui.transcript.replaceChildren(el('p', { className: 'text-body-secondary mb-0', text: t('admin.noMessages') }));
    return;
  }
  // As on the chat page: the user's text stays text, the agent's Markdown is rendered and sanitised.
  const { renderMarkdown } = await markdown();
  ui.transcript.replaceChildren(...items.map((item) => transcriptItem(item, renderMarkdown)));
}

/** The signed-in user the conversation belongs to, if any. */
function showTranscriptUser(username) {
  ui.transcriptUser.replaceChildren(...(username ? [t('admin.userLabel'), ' ', el('span', { text: username, attrs: { dir: 'auto', translate: 'no' } })] : []));
  ui.transcriptUser.classList.toggle('d-none', !username);
}

/** As on the chat page: the user's text stays text, a reply's Markdown is rendered and sanitised; each reply names its author. */
function transcriptItem(item, renderMarkdown) {
  const at = el('time', { text: formatTime(item.at, { withDate: true }), attrs: { datetime: item.at } });
  if (item.who === 'user') {
    const attachments = item.message.attachments ?? [];
    return el('article', { className: 'message message-user' }, [
      el('div', { className: 'bubble' }, [
        el('div', { className: 'bubble-text', text: item.text, attrs: { dir: 'auto' } }),
        ...(attachments.length > 0 ? [attachmentList(attachments, fileHeaders(), { withType: true })] : []),
      ]),
      el('div', { className: 'message-meta' }, [at, ' · ', messageStatusText(item.message)]),
    ]);
  }
  const person = item.author === 'admin';
  return el('article', { className: person ? 'message message-agent message-person' : 'message message-agent', attrs: { 'data-author': item.author } }, [
    el('div', { className: 'message-author', text: person ? t('admin.authorPerson') : t('admin.authorAgent') }),
    el('div', { className: 'bubble' }, [el('div', { className: 'bubble-text markdown', attrs: { dir: 'auto' } }, [renderMarkdown(item.text)])]),
    el('div', { className: 'message-meta' }, [at, ...replyReceipts(item.reply)]),
  ]);
}

/**
 * What the visitor did with a reply: whether their page showed it (seen_at) and how they rated it (rating, reason;
 * a reason is a code from the chat page's dialog, optionally followed by `: ` and their words).
 */
function replyReceipts(reply) {
  const parts = [];
  if (reply?.seen_at) {
    parts.push(' · ', el('span', { className: 'reply-seen', text: t('admin.seen') }));
  }
  if (reply?.rating === 'up' || reply?.rating === 'down') {
    const [code, ...words] = String(reply.reason ?? '').split(': ');
    const known = ['wrong', 'unhelpful', 'unsafe', 'other'].includes(code);
    const reason = reply.reason ? [known ? t(`feedback.reason.${code}`) : reply.reason, ...(known && words.length > 0 ? [words.join(': ')] : [])] : [];
    parts.push(' · ', el('span', { className: `reply-rating reply-rating-${reply.rating}`, attrs: { 'data-rating': reply.rating } }, [
      reply.rating === 'up' ? t('admin.ratedUp') : t('admin.ratedDown'),
      ...reason.map((text, index) => el('span', { text: index === 0 ? `: ${text}` : ` (${text})`, attrs: index === 0 && known ? {} : { dir: 'auto', translate: 'no' } })),
    ]));
  }
  return parts;
}

/** A person's reply into the open conversation: the user's chat shows it at once, marked as from a person. */
async function sendReply() {
  const text = ui.replyInput.value.trim();
  if (!state.openSession || text === '') {
    return;
  }
  await admin('reply', { method: 'POST', body: { session_id: state.openSession, response: text } });
  ui.replyInput.value = '';
  await Promise.all([openTranscript(state.openSession), loadBacklog()]);
}

// Backlog.

async function loadBacklog() {
  const [data] = await Promise.all([fetchBacklog(), loadBrocas()]);
  if (data === null) {
    return;
  }
  ui.backlogTotal.textContent = formatNumber(data.pagination.total);
  if (data.messages.length === 0) {
    ui.backlogList.replaceChildren(el('li', { className: 'list-group-item text-body-secondary', text: t('admin.nothingWaiting') }));
    return;
  }
  showKeepingUnchanged(ui.backlogList, data.messages.map(backlogItem), (item) => item.dataset.messageId);
}

/** Each agent's Broca: polling or not (as the chat's presence line says), its last poll, and what waits for it. */
async function loadBrocas() {
  let data;
  try {
    data = await admin('brocas');
  } catch (error) {
    ui.brocaList.replaceChildren(el('li', { className: 'list-group-item text-body-secondary', text: apiErrorText(error.message) }));
    return;
  }
  ui.brocaList.replaceChildren(...data.brocas.map((broca) => el('li', {
    className: 'list-group-item small broca-item', attrs: { 'data-agent-id': String(broca.agent_id ?? ''), 'data-online': String(broca.online) },
  }, [
    el('span', { className: 'fw-semibold', text: broca.name ?? t('admin.noAgentSessions'), attrs: broca.name ? { translate: 'no' } : {} }),
    ' · ',
    el('span', { className: broca.online ? 'text-success-emphasis' : 'text-body-secondary', text: broca.online ? t('admin.brocaOnline') : t('admin.brocaOffline') }),
    ' · ',
    ...(broca.last_poll_at ? [t('admin.lastPoll'), ' ', relativeTime(broca.last_poll_at)] : [t('admin.neverPolled')]),
    ' · ',
    el('span', { className: 'broca-backlog', text: t('admin.brocaWaiting', { count: broca.backlog }) }),
    ...(broca.oldest_waiting_at ? [' · ', t('admin.oldestWaiting'), ' ', relativeTime(broca.oldest_waiting_at)] : []),
  ])));
}

function backlogItem(message) {
  const open = el('button', { className: 'btn btn-outline-primary btn-sm', text: t('admin.open'), attrs: { type: 'button', 'aria-label': t('admin.openSession', { id: message.session_id }) } });
  open.addEventListener('click', () => run(open, () => openTranscript(message.session_id)));
  return el('li', { className: 'list-group-item d-flex align-items-start justify-content-between gap-3 backlog-item', attrs: { 'data-message-id': String(message.id) } }, [
    el('div', { className: 'min-w-0' }, [
      el('div', { className: 'backlog-text text-truncate', text: message.message, attrs: { dir: 'auto' } }),
      el('div', { className: 'small text-body-secondary' }, [
        el('span', { className: 'backlog-age fw-semibold', text: t('admin.waiting', { age: formatDuration(message.age_seconds) }) }),
        ' · ',
        el('span', { text: messageStatusText(message) }),
        ' · ',
        sessionId(message.session_id),
        ...(message.agent_id ? [' · ', el('span', { text: agentName(message.agent_id), attrs: { translate: 'no' } })] : []),
      ]),
      ...(message.exhausted ? [el('span', { className: 'badge text-bg-warning', text: t('admin.needsPerson') })] : []),
    ]),
    el('div', { className: 'd-flex flex-wrap gap-2 justify-content-end' }, [
      ...(message.exhausted ? stuckActions(message) : []),
      open,
    ]),
  ]);
}

/**
 * A stuck message is still handed out, after a growing back-off, until the admin settles it: handed out again at once,
 * or dropped for good.
 */
function stuckActions(message) {
  const retry = el('button', {
    className: 'btn btn-outline-success btn-sm retry-message',
    text: t('admin.retryNow'),
    attrs: { type: 'button', 'aria-label': t('admin.retryMessage', { id: message.id }) },
  });
  retry.addEventListener('click', () => run(retry, () => settleMessage('retry_message', message, t('admin.retried', { id: message.id }))));
  const drop = el('button', {
    className: 'btn btn-outline-danger btn-sm drop-message',
    text: t('admin.drop'),
    attrs: { type: 'button', 'aria-label': t('admin.dropMessage', { id: message.id }) },
  });
  drop.addEventListener('click', () => run(drop, () => settleMessage('drop_message', message, t('admin.droppedNotice', { id: message.id }))));
  return [retry, drop];
}

async function settleMessage(action, message, notice) {
  await admin(action, { method: 'POST', body: { message_id: message.id } });
  showNotice(notice);
  await Promise.all([
    loadBacklog(),
    loadSessions(),
    state.openSession === message.session_id ? openTranscript(message.session_id) : null,
  ]);
}

// Settings.

function keyField(name, value) {
  const id = `config-${name}`;
  // Masked until asked for: the page may be on a shared or recorded screen.
  const input = el('input', {
    className: 'form-control font-monospace',
    attrs: { id, name, type: 'password', autocomplete: 'off', spellcheck: 'false', minlength: '16' },
  });
  input.value = value;
  const show = el('button', { className: 'btn btn-outline-secondary', text: t('admin.show'), attrs: { type: 'button', 'aria-label': t('admin.showKey', { name }), 'aria-pressed': 'false' } });
  const setVisible = (visible) => {
    input.type = visible ? 'text' : 'password';
    show.textContent = visible ? t('admin.hide') : t('admin.show');
    show.setAttribute('aria-pressed', String(visible));
  };
  show.addEventListener('click', () => setVisible(input.type === 'password'));
  const generate = el('button', { className: 'btn btn-outline-secondary', text: t('admin.generate'), attrs: { type: 'button', 'aria-label': t('admin.generateKey', { name }) } });
  generate.addEventListener('click', () => {
    input.value = newKey();
    setVisible(true);
    input.focus();
  });
  return el('div', { className: 'mb-3' }, [
    el('label', { className: 'form-label', text: name === 'api_key' ? t('admin.apiKey') : t('admin.adminKey'), attrs: { for: id } }),
    el('div', { className: 'input-group', attrs: { dir: 'ltr' } }, [input, show, generate]),
    el('div', { className: 'form-text', text: t('admin.keyChangeHint') }),
  ]);
}

/** 32 random bytes as URL-safe base64: 43 printable characters, well over the 16 the bridge asks for. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function numberField(name, value) {
  const id = `config-${name}`;
  const input = el('input', { className: 'form-control', attrs: { id, name, type: 'number', min: '0', step: '1', inputmode: 'numeric' } });
  input.value = String(value);
  const known = NumberSettings.includes(name);
  return el('div', { className: 'col-sm-6' }, [
    el('label', { className: 'form-label small', text: known ? t(`setting.${name}`) : name, attrs: { for: id, ...(known ? {} : { translate: 'no' }) } }),
    input,
  ]);
}

function renderConfig(config) {
  state.config = config;
  ui.configKeys.replaceChildren(...KeyNames.map((name) => keyField(name, config[name])));
  ui.configNumbers.replaceChildren(...Object.keys(config)
    .filter((name) => !KeyNames.includes(name))
    .map((name) => numberField(name, config[name])));
}

async function loadConfig() {
  renderConfig(await admin('config'));
}

/** Only the fields the admin changed are sent, so a save never rewrites what it did not touch. */
function configChanges() {
  const changes = {};
  for (const [name, old] of Object.entries(state.config)) {
    const input = ui.configForm.elements.namedItem(name);
    if (!input) {
      continue;
    }
    const value = KeyNames.includes(name) ? input.value.trim() : Number(input.value);
    if (value !== old) {
      changes[name] = value;
    }
  }
  return changes;
}

async function saveConfig() {
  const changes = configChanges();
  if (Object.keys(changes).length === 0) {
    showNotice(t('admin.nothingChanged'));
    return;
  }
  const saved = await admin('config', { method: 'POST', body: changes });
  if (changes.admin_key) {
    // The old admin key is refused from the very next request on.
    sessionStorage.setItem(KeyStorage, changes.admin_key);
  }
  renderConfig(saved);
  showNotice(t('admin.saved', { names: formatList(Object.keys(changes)) }));
}

// Maintenance.

async function cleanup() {
  const data = await admin('cleanup', { method: 'POST', body: {} });
  showNotice(t('admin.cleaned', { count: data.cleaned_count }));
  await loadSessions();
}

async function clearData() {
  if (ui.clearConfirm.value !== 'DELETE') {
    return;
  }
  await admin('clear_data', { method: 'POST', body: {} });
  ui.clearConfirm.value = '';
  ui.clearData.disabled = true;
  state.offset = 0;
  state.openSession = null;
  state.transcript = null;
  ui.exportMarkdown.disabled = true;
  ui.exportJson.disabled = true;
  ui.transcriptSession.textContent = '';
  showTranscriptUser(null);
  ui.replyForm.classList.add('d-none');
  ui.transcript.replaceChildren(el('p', { className: 'text-body-secondary mb-0', text: t('admin.openASession') }));
  showNotice(t('admin.cleared'));
  await Promise.all([loadSessions(), loadBacklog()]);
}

function wireEvents() {
  ui.signInForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearAlerts();
    sessionStorage.setItem(KeyStorage, ui.keyInput.value.trim());
    ui.keyInput.value = '';
    try {
      await showDashboard();
    } catch (error) {
      showError(error);
    }
  });
  ui.accountForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearAlerts();
    const button = ui.accountForm.querySelector('[type=submit]');
    button.disabled = true;
    try {
      const data = await signIn({ username: ui.accountUsername.value.trim(), password: ui.accountPassword.value });
      ui.accountPassword.value = '';
      sessionStorage.removeItem(KeyStorage);
      state.account = data.user;
    } catch (error) {
      showAccountError(error);
      return;
    } finally {
      button.disabled = false;
    }
    // A user's account signs in but opens nothing here: the first admin call answers 403 Admin access required.
    await showDashboard().catch(showError);
  });
  ui.signOut.addEventListener('click', () => {
    clearAlerts();
    signOut();
  });
  // Paging buttons are not wrapped in run(): loadSessions itself decides whether they are enabled.
  ui.activeOnly.addEventListener('change', () => {
    state.offset = 0;
    loadSessions().catch(showError);
  });
  ui.filters.addEventListener('submit', (event) => event.preventDefault());
  ui.search.addEventListener('input', () => {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(() => {
      state.offset = 0;
      loadSessions().catch(showError);
    }, SearchDelayMs);
  });
  for (const control of [ui.agentFilter, ui.waitingOnly, ui.ratedDownOnly]) {
    control.addEventListener('change', () => {
      state.offset = 0;
      loadSessions().catch(showError);
    });
  }
  ui.refreshBacklog.addEventListener('click', () => run(ui.refreshBacklog, loadBacklog));
  ui.refreshStats.addEventListener('click', () => run(ui.refreshStats, () => serviceDashboard.refresh()));
  ui.refresh.addEventListener('click', () => run(ui.refresh, loadSessions));
  ui.prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PageSize);
    loadSessions().catch(showError);
  });
  ui.next.addEventListener('click', () => {
    state.offset += PageSize;
    loadSessions().catch(showError);
  });
  ui.configForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(ui.configForm.querySelector('[type=submit]'), saveConfig);
  });
  ui.cleanup.addEventListener('click', () => run(ui.cleanup, cleanup));
  ui.replyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(ui.replySend, sendReply);
  });
  ui.exportMarkdown.addEventListener('click', () => {
    download(`${state.transcript.session.id}.md`, transcriptMarkdown(state.transcript), 'text/markdown;charset=utf-8');
  });
  ui.exportJson.addEventListener('click', () => {
    download(`${state.transcript.session.id}.json`, transcriptJson(state.transcript), 'application/json');
  });
  ui.clearConfirm.addEventListener('input', () => {
    ui.clearData.disabled = ui.clearConfirm.value !== 'DELETE';
  });
  ui.clearForm.addEventListener('submit', (event) => {
    event.preventDefault();
    run(ui.clearData, clearData).then(() => {
      ui.clearData.disabled = ui.clearConfirm.value !== 'DELETE';
    });
  });
}

await ready;
languageMenu(ui.languageSelect);
wireEvents();
setInterval(refreshRelativeTimes, RelativeRefreshMs);
if (adminKey()) {
  showDashboard().catch(showError);
} else {
  // Signed in with an admin's account (here or on the chat page): the console opens without the key.
  const user = await currentUser().catch(() => null);
  if (user?.role === 'admin') {
    state.account = user;
    showDashboard().catch(showError);
  }
}
