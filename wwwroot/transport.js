// How replies and delivery states reach the chat page. A transport is a small object:
//   start()            begin delivering events for the session
//   stop()             stop for good (agent switch)
//   watch(messageId)   follow this message's delivery state until it is answered
// and it reports through the handlers it was made with:
//   onResponse({id, response, timestamp, message_id})   each reply once, in id order
//   onStatus({message_id, status})                      'pending' | 'delivered' | 'answered'
//   onConnection({online, retryInSeconds, message})     reachability, for the page's banner
// The events have the shapes of the bridge's WebSocket events, so a WebSocket transport can take
// this one's place with polling as its fallback.

import { callApi } from './api.js';

const PollMs = 2000;
const HiddenPollMs = 15000;
const MaxBackoffMs = 30000;
// Delivery states change rarely and cost a second request, so they are checked every third round,
// and at once in a round that brought a reply (which usually answers a message).
const StatusEveryRounds = 3;

export function createPollingTransport({ sessionId, afterId = 0, onResponse, onStatus, onConnection }) {
  let cursor = afterId;
  let stopped = true;
  let timer = null;
  let failures = 0;
  let controller = null;
  let busy = false;
  let round = 0;
  const watched = new Map(); // message id -> last status reported

  function schedule(delayMs) {
    clearTimeout(timer);
    if (!stopped) {
      timer = setTimeout(tick, delayMs);
    }
  }

  function nextDelay() {
    return document.hidden ? HiddenPollMs : PollMs;
  }

  /** Delivers new replies; true when there was at least one. */
  async function pollResponses(signal) {
    const data = await callApi('responses', { query: { session_id: sessionId, after_id: cursor }, signal });
    let delivered = false;
    for (const response of data.responses) {
      if (response.id > cursor) {
        cursor = response.id;
        delivered = true;
        onResponse(response);
      }
    }
    return delivered;
  }

  // One history call starting just below the oldest unanswered message covers every watched message.
  async function pollStatuses(signal) {
    if (watched.size === 0) {
      return;
    }
    const oldest = Math.min(...watched.keys());
    const data = await callApi('history', { query: { session_id: sessionId, after_id: oldest - 1 }, signal });
    for (const message of data.messages) {
      if (watched.has(message.id) && watched.get(message.id) !== message.status) {
        watched.set(message.id, message.status);
        onStatus({ message_id: message.id, status: message.status });
      }
      if (message.status === 'answered') {
        watched.delete(message.id);
      }
    }
  }

  async function tick() {
    if (busy) {
      return; // the running tick schedules the next one
    }
    busy = true;
    controller = new AbortController();
    const { signal } = controller;
    try {
      const replied = await pollResponses(signal);
      if (replied || round % StatusEveryRounds === 0) {
        await pollStatuses(signal);
      }
      round += 1;
      if (stopped) {
        return;
      }
      if (failures > 0) {
        failures = 0;
        onConnection({ online: true });
      }
      schedule(nextDelay());
    } catch (error) {
      if (stopped || error.name === 'AbortError') {
        return;
      }
      failures += 1;
      const backoffMs = error.status === 429 && error.retryAfter
        ? error.retryAfter * 1000
        : Math.min(MaxBackoffMs, PollMs * 2 ** (failures - 1));
      onConnection({ online: false, retryInSeconds: Math.ceil(backoffMs / 1000), error });
      schedule(backoffMs);
    } finally {
      busy = false;
    }
  }

  function onVisibilityChange() {
    // Coming back to the tab: catch up now instead of waiting out the slow hidden interval.
    if (!document.hidden && failures === 0) {
      schedule(0);
    }
  }

  return {
    start() {
      stopped = false;
      document.addEventListener('visibilitychange', onVisibilityChange);
      schedule(0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibilityChange);
    },
    watch(messageId) {
      if (!watched.has(messageId)) {
        watched.set(messageId, 'pending');
      }
      round = 0; // a new message: its state is worth checking on the next round
    },
  };
}
