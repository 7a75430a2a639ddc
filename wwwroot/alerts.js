// Sound and system notifications for replies that arrive while the tab is hidden. Off until the reader
// switches them on; the browser's notification permission is asked only on that click.

import { t } from './i18n.js';

const StorageKey = 'chatbridge.alerts';
const PreviewLength = 140;

/** A short two-note chime from the Web Audio API, so no sound file has to be served. */
function chime(audio) {
  const start = audio.currentTime;
  for (const [offset, frequency] of [[0, 880], [0.12, 1320]]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.3);
  }
}

export function createAlerts(toggle) {
  let enabled = localStorage.getItem(StorageKey) === 'on';
  let audio = null;

  // Browsers only let a page make sound after the reader has interacted with it.
  function prepareAudio() {
    if (enabled && audio === null && window.AudioContext) {
      audio = new AudioContext();
    }
    audio?.resume().catch(() => {});
  }

  function render() {
    toggle.setAttribute('aria-pressed', String(enabled));
    toggle.title = enabled ? t('alerts.on') : t('alerts.off');
  }

  toggle.addEventListener('click', async () => {
    enabled = !enabled;
    localStorage.setItem(StorageKey, enabled ? 'on' : 'off');
    render();
    prepareAudio();
    if (enabled && window.Notification?.permission === 'default') {
      await Notification.requestPermission();
    }
  });
  document.addEventListener('pointerdown', prepareAudio, { once: true });
  document.addEventListener('keydown', prepareAudio, { once: true });
  render();

  return {
    announce(author, text) {
      if (!enabled) {
        return;
      }
      if (audio !== null) {
        chime(audio);
      }
      if (window.Notification?.permission === 'granted') {
        const body = text.length > PreviewLength ? `${text.slice(0, PreviewLength)}…` : text;
        const notification = new Notification(author, { body, tag: 'chatbridge-reply' });
        notification.addEventListener('click', () => {
          window.focus();
          notification.close();
        });
      }
    },
  };
}
