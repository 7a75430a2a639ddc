// The demo page: the snippets with this bridge's address filled in, and buttons that call the widget's API.

import { ready, t } from '../i18n.js';

const bridge = window.location.origin;
for (const id of ['snippet', 'snippet-data']) {
  const code = document.getElementById(id);
  code.textContent = code.textContent.replace('https://chat.example.org', bridge);
}

// The loader is async: queue the calls, as a host page would. The widget speaks the page's language.
window.SanctumChat = window.SanctumChat || [];
window.SanctumChat.push(['init', { locale: document.documentElement.lang }]);
const events = document.getElementById('events');
let heard = false;
for (const name of ['open', 'close', 'message', 'reply']) {
  window.SanctumChat.push(['on', name, (detail) => {
    // The event's name and the text the visitor or agent wrote are data, not the page's words.
    heard = true;
    events.translate = false;
    events.textContent = `${name}${detail.text ? `: ${detail.text}` : ''}`;
  }]);
}
await ready;
if (!heard) {
  events.textContent = t('demo.noEvents');
}

const calls = {
  open: () => window.SanctumChat.push(['open']),
  close: () => window.SanctumChat.push(['close']),
  send: () => window.SanctumChat.push(['sendMessage', 'Hello!']),
};
for (const button of document.querySelectorAll('[data-call]')) {
  button.addEventListener('click', calls[button.dataset.call]);
}
