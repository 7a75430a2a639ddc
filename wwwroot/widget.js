// The ChatBridge widget loader: one <script> on any site puts a chat button in a corner of the page. The
// conversation itself runs in the bridge's panel page (/widget/) inside an iframe, loaded on first open: the
// host's CSS and script cannot reach it, and it cannot reach them. The button lives in a shadow root for the
// same reason. The only global is `SanctumChat`, a queue before this script runs and the API after.
(() => {
  'use strict';

  const previous = window.SanctumChat;
  if (previous && previous.version) {
    return; // the script is on the page twice
  }
  const script = document.currentScript
    ?? [...document.scripts].find((s) => /\/(widget|chat-widget)\.js(\?|$)/.test(s.src));
  const bridge = new URL(script.src, window.location.href).origin;
  const Positions = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];
  const Themes = ['light', 'dark', 'auto'];
  const PanelQuery = ['agentId', 'title', 'theme', 'primaryColor', 'greeting'];
  // The catalogues in the bridge's i18n/, as in locale.js; en-XA is the tests' pseudo-locale.
  const Locales = ['en', 'de', 'fr', 'es', 'pt-BR', 'it', 'nl', 'pl', 'uk', 'ja', 'zh-CN', 'ar'];
  const Pseudo = 'en-XA';
  const RightToLeft = ['ar'];
  const LocaleKey = 'sanctumchat.locale';
  const Defaults = {
    agentId: null,
    locale: null,
    title: '',
    position: 'bottom-right',
    theme: 'auto',
    primaryColor: '#0d6efd',
    greeting: '',
    autoOpen: false,
    notifications: false,
    sound: false,
  };

  const listeners = { open: [], close: [], message: [], reply: [] };
  let config = null; // set by init
  let ui = null; // the button and panel, once the bridge accepted this site
  let panel = null; // {frame, ready, outbox} once the panel was asked for
  let isOpen = false;
  let unread = 0;
  let locale = 'en'; // the language the button and the panel speak
  let words = {}; // the catalogue of that language
  const pending = []; // calls that need the button, made before the bridge answered

  function warn(text) {
    console.warn(`SanctumChat: ${text}`);
  }

  // Options: the predecessor's names; values checked so that a typo falls back to a default, loudly.

  function clean(options) {
    const result = {};
    for (const [name, value] of Object.entries(options ?? {})) {
      if (name === 'apiKey') {
        warn('the apiKey option is ignored: the widget needs no key, and a key must never be put in a public page. Remove it.');
      } else if (!(name in Defaults)) {
        warn(`unknown option "${name}" ignored.`);
      } else if (name === 'position' && !Positions.includes(value)) {
        warn(`position must be one of ${Positions.join(', ')}.`);
      } else if (name === 'theme' && !Themes.includes(value)) {
        warn(`theme must be one of ${Themes.join(', ')}.`);
      } else if (name === 'primaryColor' && !/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(String(value))) {
        warn('primaryColor must be a hex colour such as #6f42c1.');
      } else if (name === 'agentId' && value !== null && !/^[1-9][0-9]{0,9}$/.test(String(value))) {
        warn('agentId must be a positive whole number.');
      } else if (name === 'locale' && value !== null && value !== Pseudo && !supported(value)) {
        warn(`locale must be one of ${Locales.join(', ')} (or a tag of one of their languages).`);
      } else if (typeof Defaults[name] === 'boolean') {
        result[name] = value === true || value === 'true' || value === '';
      } else {
        result[name] = value === null ? null : String(value);
      }
    }
    return result;
  }

  // Language: the visitor's pick in the panel (kept in this site's storage), else the site's `locale` option,
  // else the best match for the browser's languages, else English.

  /** The supported locale for a BCP 47 tag: exact, else the same language ("pt-PT" → "pt-BR"). */
  function supported(tag) {
    if (typeof tag !== 'string' || tag === '') {
      return null;
    }
    const lower = tag.toLowerCase();
    return Locales.find((l) => l.toLowerCase() === lower)
      ?? Locales.find((l) => l.toLowerCase().split('-')[0] === lower.split('-')[0])
      ?? null;
  }

  function storedLocale() {
    try {
      return localStorage.getItem(LocaleKey);
    } catch {
      return null;
    }
  }

  function negotiate() {
    if (config.locale === Pseudo) {
      return Pseudo;
    }
    for (const candidate of [storedLocale(), config.locale, ...(navigator.languages ?? [navigator.language])]) {
      const match = supported(candidate);
      if (match) {
        return match;
      }
    }
    return 'en';
  }

  let wordsAsked = 0; // when the language changes again before its texts arrive, the last one asked wins

  /** The catalogue for the button's few words; the pseudo-locale wraps English, as the pages do. */
  async function loadWords(wanted) {
    const file = wanted === Pseudo ? 'en' : wanted;
    const asked = ++wordsAsked;
    try {
      const answer = await fetch(`${bridge}/i18n/${file}.json`, { credentials: 'omit' });
      if (!answer.ok) {
        throw new Error(`HTTP ${answer.status}`);
      }
      const catalogue = await answer.json();
      if (asked !== wordsAsked) {
        return;
      }
      if (wanted === Pseudo) {
        for (const [key, value] of Object.entries(catalogue)) {
          catalogue[key] = typeof value === 'string'
            ? `⟦${value}⟧`
            : Object.fromEntries(Object.entries(value).map(([form, text]) => [form, `⟦${text}⟧`]));
        }
      }
      locale = wanted;
      words = catalogue;
    } catch (error) {
      console.error(`SanctumChat: the ${wanted} texts did not load (${error.message}).`);
      if (wanted !== 'en' && wanted !== Pseudo) {
        await loadWords('en');
      }
    }
  }

  /** A text of the catalogue with its {placeholders}; a count picks the plural form by Intl.PluralRules. */
  function t(key, params = {}) {
    const intl = locale === Pseudo ? 'en' : locale;
    let text = words[key];
    if (text !== null && typeof text === 'object') {
      text = text[new Intl.PluralRules(intl).select(params.count ?? 0)] ?? text.other;
    }
    if (typeof text !== 'string') {
      return key;
    }
    return text.replace(/\{(\w+)\}/g, (whole, name) => {
      const value = params[name];
      return value === undefined ? whole : typeof value === 'number' ? new Intl.NumberFormat(intl).format(value) : String(value);
    });
  }

  function title() {
    return config.title || t('widget.title');
  }

  /** `data-agent-id="2" data-title="Ask Athena"` on the script tag, for pages whose CSP forbids inline script. */
  function fromDataset() {
    const options = {};
    for (const [name, value] of Object.entries(script.dataset)) {
      options[name] = value;
    }
    return options;
  }

  // The button, in a shadow root. Styles come from a constructed sheet, which a host CSP does not block.

  const Styles = `
    :host { all: initial !important; display: block !important; position: fixed !important; z-index: 2147483000 !important;
      width: 0 !important; height: 0 !important; margin: 0 !important; padding: 0 !important; border: 0 !important;
      visibility: visible !important; opacity: 1 !important; transform: none !important; clip-path: none !important;
      --sc-primary: #0d6efd; }
    :host(.bottom-right) { right: 20px !important; bottom: 20px !important; }
    :host(.bottom-left) { left: 20px !important; bottom: 20px !important; }
    :host(.top-right) { right: 20px !important; top: 20px !important; }
    :host(.top-left) { left: 20px !important; top: 20px !important; }
    * { box-sizing: border-box; }
    .launcher { all: initial; position: absolute; display: grid; place-items: center; width: 56px; height: 56px;
      border-radius: 50%; background: var(--sc-primary); color: #fff; cursor: pointer;
      box-shadow: 0 4px 14px rgb(0 0 0 / 25%); transition: transform 0.15s ease; }
    .launcher:hover { transform: scale(1.06); }
    .launcher:focus-visible { outline: 3px solid var(--sc-primary); outline-offset: 3px; }
    .launcher svg { width: 26px; height: 26px; fill: currentColor; }
    .launcher .close-icon, .launcher[aria-expanded="true"] .chat-icon { display: none; }
    .launcher[aria-expanded="true"] .close-icon { display: block; }
    .badge { position: absolute; top: -4px; inset-inline-end: -4px; min-width: 20px; height: 20px; padding: 0 6px;
      border-radius: 10px; background: #dc3545; color: #fff; font: 600 12px/20px system-ui, sans-serif;
      text-align: center; box-shadow: 0 0 0 2px #fff; }
    .badge[hidden] { display: none; }
    .panel { position: absolute; width: 380px; height: min(620px, calc(100vh - 110px)); border-radius: 16px;
      overflow: hidden; background: #fff; box-shadow: 0 12px 40px rgb(0 0 0 / 25%);
      transition: opacity 0.15s ease, transform 0.15s ease; }
    .panel:not(.open) { visibility: hidden; opacity: 0; transform: translateY(8px); pointer-events: none; }
    .panel iframe { display: block; width: 100%; height: 100%; border: 0; }
    :host(.bottom-right) .launcher { right: 0; bottom: 0; }
    :host(.bottom-left) .launcher { left: 0; bottom: 0; }
    :host(.top-right) .launcher { right: 0; top: 0; }
    :host(.top-left) .launcher { left: 0; top: 0; }
    :host(.bottom-right) .panel { right: 0; bottom: 72px; }
    :host(.bottom-left) .panel { left: 0; bottom: 72px; }
    :host(.top-right) .panel { right: 0; top: 72px; }
    :host(.top-left) .panel { left: 0; top: 72px; }
    @media (max-width: 480px) {
      .panel { position: fixed; inset: 0 !important; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; }
      .panel.open ~ .launcher { display: none; }
    }
    @media (prefers-reduced-motion: reduce) { .launcher, .panel { transition: none; } }
  `;

  const ChatIcon = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6a1.25 1.25 0 1 0 0 2.5A1.25 1.25 0 0 0 7 10zm5 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5zm5 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5z';
  const CloseIcon = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z';

  function icon(path, className) {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', className);
    const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    shape.setAttribute('d', path);
    svg.append(shape);
    return svg;
  }

  function mount() {
    const host = document.createElement('div');
    host.setAttribute('data-sanctum-chat', '');
    const root = host.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in root) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(Styles);
      root.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement('style');
      style.textContent = Styles;
      root.append(style);
    }
    const box = document.createElement('div');
    box.className = 'panel';
    box.id = 'sanctum-chat-panel';
    box.setAttribute('role', 'dialog');
    const launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'launcher';
    launcher.setAttribute('aria-controls', box.id);
    launcher.setAttribute('aria-expanded', 'false');
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.hidden = true;
    badge.setAttribute('aria-hidden', 'true');
    launcher.append(icon(ChatIcon, 'chat-icon'), icon(CloseIcon, 'close-icon'), badge);
    launcher.addEventListener('click', toggle);
    root.append(box, launcher);
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && isOpen) {
        close();
      }
    });
    document.documentElement.append(host);
    ui = { host, box, launcher, badge };
    style();
    performance.mark('sanctumchat:button-visible');
  }

  /**
   * Applies the options the button shows: corner, colour, labels. In a right-to-left language the corner mirrors
   * (bottom-right becomes bottom-left), as the rest of the layout does.
   */
  function style() {
    if (!ui) {
      return;
    }
    const rtl = RightToLeft.includes(locale);
    ui.host.className = rtl ? config.position.replace(/left|right/, (side) => (side === 'left' ? 'right' : 'left')) : config.position;
    ui.host.dir = rtl ? 'rtl' : 'ltr';
    ui.host.lang = locale;
    ui.host.style.setProperty('--sc-primary', config.primaryColor);
    ui.box.setAttribute('aria-label', title());
    if (panel) {
      panel.frame.title = title();
    }
    showUnread();
  }

  function showUnread() {
    ui.badge.hidden = unread === 0 || isOpen;
    ui.badge.textContent = unread > 9 ? t('widget.manyUnread', { count: 9 }) : t('widget.unreadBadge', { count: unread });
    ui.launcher.setAttribute('aria-label', isOpen
      ? t('widget.close')
      : unread > 0 ? t('widget.openUnread', { count: unread }) : t('widget.open'));
  }

  // The panel: the bridge's page in an iframe, spoken to by postMessage with both ends checking the origin.

  /**
   * The visitor's conversations for the whole site, kept in the site's own storage: the panel's storage is the
   * bridge's, which browsers partition per site or block outright in a frame. The conversation last opened with the
   * agent is `sanctumchat.session.<agent>` (as the widget kept its only one before); the list of them all, each with
   * the token it is bound to, `sanctumchat.conversations`, which the panel reads and changes through postMessage.
   */
  const ListKey = 'sanctumchat.conversations';
  const SessionPattern = /^session_[A-Za-z0-9_]{1,56}$/;
  const TokenPattern = /^[0-9a-f]{64}$/;
  const memory = { list: [], pointers: {} }; // where storage is refused: for as long as the page

  function sessionKey() {
    return `sanctumchat.session.${config.agentId ?? 'default'}`;
  }

  function hex(byteCount) {
    return Array.from(crypto.getRandomValues(new Uint8Array(byteCount)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function read(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return key === ListKey ? JSON.stringify(memory.list) : memory.pointers[key] ?? null;
    }
  }

  function write(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      if (key === ListKey) {
        memory.list = JSON.parse(value);
      } else {
        memory.pointers[key] = value;
      }
    }
  }

  /** The list as stored, every field checked: the site's storage is shared with everything else on it. */
  function conversations(list) {
    let entries = list;
    if (entries === undefined) {
      try {
        entries = JSON.parse(read(ListKey) ?? '[]');
      } catch {
        entries = [];
      }
    }
    if (!Array.isArray(entries)) {
      return [];
    }
    const text = (value, max) => (typeof value === 'string' ? value.slice(0, max) : '');
    return entries.filter((e) => e && SessionPattern.test(e.id ?? '')).slice(0, 100).map((e) => ({
      id: e.id,
      token: TokenPattern.test(e.token ?? '') ? e.token : null,
      agentId: Number.isInteger(e.agentId) && e.agentId > 0 ? e.agentId : null,
      title: text(e.title, 61),
      createdAt: text(e.createdAt, 40),
      lastAt: text(e.lastAt, 40),
      hidden: e.hidden === true,
    }));
  }

  /** The conversation to open (the last one with this agent, or a new one bound to a fresh token) and its token. */
  function session() {
    const key = sessionKey();
    const list = conversations();
    const stored = read(key);
    if (stored && SessionPattern.test(stored)) {
      return { id: stored, token: list.find((e) => e.id === stored)?.token ?? null };
    }
    const now = new Date().toISOString();
    const created = { id: `session_${hex(16)}`, token: hex(32), agentId: config.agentId === null ? null : Number(config.agentId), title: '', createdAt: now, lastAt: now, hidden: false };
    write(ListKey, JSON.stringify([created, ...list]));
    write(key, created.id);
    return created;
  }

  function panelUrl() {
    const url = new URL('/widget/', bridge);
    const { id, token } = session();
    url.searchParams.set('site', window.location.origin);
    url.searchParams.set('session', id);
    // The token goes in the fragment, which never reaches a server or its logs; the panel takes it out at once.
    url.hash = token === null ? '' : `token=${token}`;
    url.searchParams.set('locale', locale);
    for (const name of PanelQuery) {
      if (config[name]) {
        url.searchParams.set(name, config[name]);
      }
    }
    return url.toString();
  }

  function loadPanel() {
    if (panel) {
      return;
    }
    const frame = document.createElement('iframe');
    frame.title = title();
    frame.allow = 'clipboard-write';
    frame.src = panelUrl();
    panel = { frame, ready: false, outbox: [] };
    ui.box.append(frame);
  }

  function post(message) {
    if (!panel) {
      return;
    }
    if (panel.ready) {
      panel.frame.contentWindow.postMessage(message, bridge);
    } else {
      panel.outbox.push(message);
    }
  }

  function receive(event) {
    if (!panel || event.origin !== bridge || event.source !== panel.frame.contentWindow) {
      return;
    }
    const message = event.data ?? {};
    if (message.type === 'hello') {
      panel.ready = true;
      post({ type: 'conversations', conversations: conversations() });
      panel.outbox.splice(0).forEach(post);
      if (isOpen) {
        post({ type: 'focus' });
      }
    } else if (message.type === 'close') {
      close();
    } else if (message.type === 'locale' && supported(message.locale) === message.locale) {
      try {
        localStorage.setItem(LocaleKey, message.locale);
      } catch {
        // Storage refused: the choice lasts as long as the page.
      }
      changeLocale(message.locale);
    } else if (message.type === 'session' && SessionPattern.test(message.sessionId)) {
      write(sessionKey(), message.sessionId);
    } else if (message.type === 'conversations' && Array.isArray(message.conversations)) {
      write(ListKey, JSON.stringify(conversations(message.conversations)));
    } else if (message.type === 'message') {
      emit('message', { text: String(message.text) });
    } else if (message.type === 'reply') {
      if (!isOpen) {
        unread += 1;
        showUnread();
        alertVisitor(String(message.text));
      }
      emit('reply', { text: String(message.text) });
    }
  }

  /** Optional, for replies that arrive while the panel is closed. */
  function alertVisitor(text) {
    if (config.notifications && document.hidden && window.Notification?.permission === 'granted') {
      new Notification(title(), { body: text.slice(0, 140) });
    }
    if (config.sound && window.AudioContext) {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
      tone.addEventListener('ended', () => audio.close());
    }
  }

  function emit(name, detail) {
    for (const listener of listeners[name]) {
      try {
        listener(detail);
      } catch (error) {
        console.error(error);
      }
    }
  }

  // The API. Calls before the bridge accepted this site wait; after a refusal they do nothing.

  function whenMounted(call) {
    if (ui) {
      call();
    } else {
      pending.push(call);
    }
  }

  function open() {
    whenMounted(() => {
      if (isOpen) {
        return;
      }
      loadPanel();
      isOpen = true;
      unread = 0;
      ui.box.classList.add('open');
      ui.launcher.setAttribute('aria-expanded', 'true');
      showUnread();
      panel.frame.focus();
      post({ type: 'focus' });
      if (config.notifications && window.Notification?.permission === 'default') {
        Notification.requestPermission().catch(() => {});
      }
      emit('open', {});
    });
  }

  function close() {
    whenMounted(() => {
      if (!isOpen) {
        return;
      }
      isOpen = false;
      ui.box.classList.remove('open');
      ui.launcher.setAttribute('aria-expanded', 'false');
      showUnread();
      ui.launcher.focus();
      emit('close', {});
    });
  }

  function toggle() {
    whenMounted(() => (isOpen ? close() : open()));
  }

  function sendMessage(text) {
    if (typeof text !== 'string' || text.trim() === '') {
      warn('sendMessage needs some text.');
      return;
    }
    whenMounted(() => {
      loadPanel();
      post({ type: 'send', text });
    });
  }

  function updateConfig(options) {
    if (!config) {
      warn('call init before updateConfig.');
      return;
    }
    const changes = clean(options);
    const agentChanged = 'agentId' in changes && changes.agentId !== config.agentId;
    Object.assign(config, changes);
    if ('locale' in changes && negotiate() !== locale) {
      changeLocale(negotiate());
      return;
    }
    style();
    if (panel && agentChanged) {
      reloadPanel(); // another agent is another conversation
    } else {
      post({ type: 'config', config: Object.fromEntries(PanelQuery.map((name) => [name, config[name]])) });
    }
  }

  function reloadPanel() {
    if (panel) {
      panel.ready = false;
      panel.frame.src = panelUrl();
    }
  }

  /** Another language: the button's words at once, the panel reloaded in it (the conversation stays). */
  async function changeLocale(wanted) {
    await loadWords(wanted);
    style();
    reloadPanel();
  }

  function on(name, listener) {
    if (!(name in listeners) || typeof listener !== 'function') {
      warn(`on(name, fn): name is one of ${Object.keys(listeners).join(', ')}.`);
      return;
    }
    listeners[name].push(listener);
  }

  /** Starts the widget once: asks the bridge whether this site may embed it, then shows the button. */
  async function init(options) {
    if (config) {
      updateConfig(options);
      return;
    }
    config = { ...Defaults, ...clean(options) };
    const texts = loadWords(negotiate()); // alongside the check, so the button waits for neither in turn
    let answer;
    try {
      answer = await fetch(`${bridge}/widget/config`, { credentials: 'omit', cache: 'no-store' });
    } catch {
      console.error(`SanctumChat: cannot reach the chat server at ${bridge}; no chat button is shown.`);
      return;
    }
    if (answer.status === 403) {
      console.error(`SanctumChat: ${window.location.origin} is not allowed to embed the chat of ${bridge}. `
        + 'The bridge\'s operator can add it to ChatBridge:Widget:AllowedOrigins.');
      return;
    }
    if (!answer.ok) {
      console.error(`SanctumChat: the chat server at ${bridge} answered ${answer.status}; no chat button is shown.`);
      return;
    }
    await texts;
    window.addEventListener('message', receive);
    mount();
    pending.splice(0).forEach((call) => call());
    if (config.autoOpen) {
      open();
    }
  }

  const commands = { init, open, close, toggle, sendMessage, updateConfig, on };

  /** The queued form, `SanctumChat.push(["name", ...args])`, before and after this script ran. */
  function push(...calls) {
    for (const call of calls) {
      const [name, ...args] = Array.isArray(call) ? call : [];
      if (typeof commands[name] === 'function') {
        commands[name](...args);
      } else {
        warn(`unknown call ${JSON.stringify(name)}.`);
      }
    }
  }

  window.SanctumChat = Object.freeze({ ...commands, push, version: 1 });
  const queued = Array.isArray(previous) ? previous : [];
  const fromTag = fromDataset();
  if (Object.keys(fromTag).length > 0) {
    queued.unshift(['init', fromTag]); // a queued init then refines it, as updateConfig
  }
  push(...queued);
})();
