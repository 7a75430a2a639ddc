// The demo page: the snippet with this bridge's address filled in, and buttons that call the widget's API.

const bridge = window.location.origin;

document.getElementById('snippet').textContent = `<script src="${bridge}/widget.js" async></script>
<script>
  window.SanctumChat = window.SanctumChat || [];
  SanctumChat.push(["init", {
    title: "Ask ChatBridge",
    theme: "auto",
    position: "bottom-right",
    primaryColor: "#6f42c1",
    greeting: "Hi! Ask me anything about ChatBridge.",
  }]);
</script>`;

document.getElementById('snippet-data').textContent = `<script src="${bridge}/widget.js" async
        data-title="Ask ChatBridge" data-theme="auto" data-position="bottom-right"
        data-primary-color="#6f42c1" data-greeting="Hi! Ask me anything about ChatBridge."></script>`;

// The loader is async: queue the calls, as a host page would.
window.SanctumChat = window.SanctumChat || [];
const events = document.getElementById('events');
for (const name of ['open', 'close', 'message', 'reply']) {
  window.SanctumChat.push(['on', name, (detail) => {
    events.textContent = `${name}${detail.text ? `: ${detail.text}` : ''}`;
  }]);
}

const calls = {
  open: () => window.SanctumChat.push(['open']),
  close: () => window.SanctumChat.push(['close']),
  send: () => window.SanctumChat.push(['sendMessage', 'Hello!']),
};
for (const button of document.querySelectorAll('[data-call]')) {
  button.addEventListener('click', calls[button.dataset.call]);
}
