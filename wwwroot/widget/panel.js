// The widget's panel page (/widget/), framed by the loader (/widget.js) on the host site. The chat itself is
// chat.js, as on the full page; this module runs first to describe the embedding (session, agent, greeting) on
// <body>, applies the site's title, theme and colour, and relays between chat.js and the host page:
//   host -> panel   {type: 'focus'} | {type: 'send', text} | {type: 'config', config}
//                   | {type: 'conversations', conversations}: the visitor's list, as the site's storage keeps it
//   panel -> host   {type: 'hello'} | {type: 'close'} | {type: 'message', text} | {type: 'reply', text}
//                   | {type: 'locale', locale}: the visitor picked a language; the loader remembers it for the site
//                     and reloads this frame in it
//                   | {type: 'session', sessionId}: the conversation shown changed (a sign-in opened the user's own,
//                     a sign-out a new one); the loader keeps it for the site
//                   | {type: 'conversations', conversations}: the list changed (a new one, a title, one removed)
// The loader opens the panel on /widget/?session=…#token=…: the session's token rides in the fragment, which no
// server sees, and is taken out of the address before anything else runs.
// Messages go to, and are accepted from, the host's origin only.

import { randomHex } from '../api.js';
import { languageMenu, ready } from '../i18n.js';

const params = new URLSearchParams(window.location.search);
const site = hostOrigin();
const body = document.body;
const sends = []; // texts the host asked to send, waiting for the composer
// The list the host's storage keeps, held until chat.js listens for it (it may arrive before chat.js has started).
let hostConversations = null;
let chatReady = false;

/**
 * The framing site's origin. Where the browser reports it (location.ancestorOrigins) that report wins over the
 * query, which a page could forge; the frame-ancestors policy already limits who may frame us at all.
 */
function hostOrigin() {
  const reported = window.location.ancestorOrigins?.[0];
  if (reported) {
    return reported;
  }
  try {
    return new URL(params.get('site') ?? '').origin;
  } catch {
    return null;
  }
}

function toHost(message) {
  if (site && window.parent !== window) {
    window.parent.postMessage(message, site);
  }
}

function applyConfig({ agentId, title, theme, primaryColor, greeting }) {
  if (agentId && /^[1-9][0-9]{0,9}$/.test(agentId)) {
    body.dataset.agentId = agentId;
  }
  if (title) {
    // The site's own words: they replace the catalogue's default title and are not the panel's to translate.
    const heading = document.getElementById('widget-title');
    heading.removeAttribute('data-i18n');
    heading.translate = false;
    heading.textContent = title;
  }
  if (greeting !== undefined) {
    body.dataset.greeting = greeting ?? '';
    const empty = document.getElementById('empty-state');
    if (greeting && empty) {
      empty.textContent = greeting;
    }
  }
  applyTheme(theme);
  applyColor(primaryColor);
}

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');
let themeChoice = 'auto';

function applyTheme(theme) {
  if (['light', 'dark', 'auto'].includes(theme)) {
    themeChoice = theme;
  }
  const dark = themeChoice === 'dark' || (themeChoice === 'auto' && darkQuery.matches);
  document.documentElement.dataset.bsTheme = dark ? 'dark' : 'light';
}

function applyColor(color) {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color ?? '');
  if (!match) {
    return;
  }
  const hex = match[1].length === 3 ? [...match[1]].map((c) => c + c).join('') : match[1];
  const rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const root = document.documentElement.style;
  root.setProperty('--bs-primary', `#${hex}`);
  root.setProperty('--bs-primary-rgb', rgb.join(', '));
  root.setProperty('--widget-primary-dark', `rgb(${rgb.map((v) => Math.round(v * 0.85)).join(' ')})`);
}

function passConversations() {
  if (chatReady && hostConversations !== null) {
    document.dispatchEvent(new CustomEvent('chatbridge:conversations', { detail: { conversations: hostConversations } }));
  }
}

/** Sends the host's texts one at a time, as the visitor would: each waits until the composer can send. */
function pumpSends() {
  const input = document.getElementById('message-input');
  const button = document.getElementById('send-button');
  if (sends.length === 0 || button.disabled) {
    return;
  }
  input.value = sends.shift();
  document.getElementById('composer').requestSubmit();
}

function receive(event) {
  if (event.origin !== site || event.source !== window.parent) {
    return;
  }
  const message = event.data ?? {};
  if (message.type === 'focus') {
    // The page is hidden until its text is translated, and a hidden field cannot take the focus.
    ready.then(() => document.getElementById('message-input').focus());
  } else if (message.type === 'send' && typeof message.text === 'string') {
    sends.push(message.text);
    pumpSends();
  } else if (message.type === 'config' && message.config) {
    applyConfig(message.config);
  } else if (message.type === 'conversations' && Array.isArray(message.conversations)) {
    hostConversations = message.conversations;
    passConversations();
  }
}

function wire() {
  document.getElementById('widget-close').addEventListener('click', () => toHost({ type: 'close' }));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      toHost({ type: 'close' });
    }
  });
  document.addEventListener('chatbridge:sent', (event) => toHost({ type: 'message', text: event.detail.text }));
  document.addEventListener('chatbridge:reply', (event) => toHost({ type: 'reply', text: event.detail.response }));
  document.addEventListener('chatbridge:session', (event) => toHost({ type: 'session', sessionId: event.detail.sessionId }));
  document.addEventListener('chatbridge:ready', () => {
    chatReady = true;
    passConversations();
  });
  document.addEventListener('chatbridge:conversations', (event) => {
    if (event.detail.fromPanel) {
      toHost({ type: 'conversations', conversations: event.detail.conversations });
    }
  });
  // The send button turns enabled once the conversation is loaded and after each send: time for the next text.
  new MutationObserver(pumpSends).observe(document.getElementById('send-button'), { attributes: true, attributeFilter: ['disabled'] });
  darkQuery.addEventListener('change', () => applyTheme());
  window.addEventListener('message', receive);
  languageMenu(document.getElementById('language-select'), chooseLocale);
}

/** The frame's own storage is the bridge's, partitioned or refused: the loader keeps the choice in the site's. */
function chooseLocale(locale) {
  if (site && window.parent !== window) {
    toHost({ type: 'locale', locale });
    return;
  }
  const url = new URL(window.location.href);
  url.searchParams.set('locale', locale);
  window.location.replace(url);
}

// The loader keeps the session in the site's own storage: this frame's storage is partitioned or blocked.
const session = params.get('session') ?? '';
body.dataset.sessionId = /^session_[A-Za-z0-9_]{1,56}$/.test(session) ? session : `session_${randomHex(16)}`;
const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
if (/^[0-9a-f]{64}$/.test(token) && body.dataset.sessionId === session) {
  body.dataset.sessionToken = token;
}
if (window.location.hash) {
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}
applyConfig(Object.fromEntries(['agentId', 'title', 'theme', 'primaryColor', 'greeting'].map((name) => [name, params.get(name) ?? undefined])));
wire();
toHost({ type: 'hello' });
