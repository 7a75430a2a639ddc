// How replies, delivery states and typing reach the chat page. A transport is a small object:
//   start()            begin delivering events for the session
//   stop()             stop for good (agent switch)
//   watch(messageId)   follow this message's delivery state until it is answered
// and it reports through the handlers it was made with, in the shapes of the bridge's WebSocket events:
//   onResponse({id, response, timestamp, message_id})   each reply once
//   onStatus({message_id, status, delivery_count})      'pending' | 'delivered' | 'answered'
//   onTyping({state})                                   'start' | 'stop'
//   onConnection({mode, online, retryInSeconds, error}) mode 'live' | 'reconnecting' | 'polling';
//                                                       online false while the server cannot be reached
//
// createTransport picks the WebSocket and falls back to long polling while sockets keep failing.

import { callApi, sessionTokenFor } from './api.js';

// Long polling: the server holds each `responses` call until a reply arrives or this many seconds pass,
// so an idle page makes about 144 calls an hour, inside the default limit of 200 an hour per IP.
const LongPollSeconds = 25;
const MaxBackoffMs = 30000;
// Delivery states cost a `history` call from the same hourly budget, so the fallback checks them
// rarely, and at once when a reply arrives (which usually answers a message).
const StatusCheckMs = 60000;

// WebSocket reconnects: exponential backoff from ReconnectBaseMs, capped, with jitter so that many tabs
// dropped by one server restart do not come back in step.
const ReconnectBaseMs = 500;
const ReconnectMaxMs = 30000;
// A socket that closes sooner than this after opening counts as a failed connect (a proxy that accepts
// and drops at once must back off too).
const StableMs = 5000;
// After this many failed connects in a row, replies come by long polling while sockets keep being tried.
const FailuresBeforeFallback = 3;
// How long before a drop a pushed reply must have arrived to count as settled (see createCursor).
const SettleMs = 2000;
/**
 * How far a message has got, so that a state arriving late never moves it back. A lapsed claim sends a message
 * from delivered back to pending, so the hand-outs count: delivered by the n-th is 2n-1, pending after it is 2n.
 * Without a count (the page's own "sent") pending is the start and delivered the first hand-out.
 */
export function deliveryProgress(status, deliveryCount) {
  if (status === 'answered') {
    return Number.POSITIVE_INFINITY;
  }
  // An admin dropped it: no hand-out follows, and only an answer (a person's, or a late one) moves it on.
  if (status === 'dropped') {
    return Number.MAX_SAFE_INTEGER;
  }
  const count = Number.isInteger(deliveryCount) ? deliveryCount : status === 'delivered' ? 1 : 0;
  return status === 'delivered' ? 2 * count - 1 : 2 * count;
}

/** The WebSocket with a long-polling fallback, or long polling alone where the browser has no WebSocket. */
export function createTransport(options) {
  if (typeof WebSocket !== 'function') {
    return createPollingTransport(options);
  }
  const { onConnection } = options;
  const cursor = createCursor(options.afterId ?? 0);
  const watched = new Set();
  let polling = null;

  function startFallback() {
    polling = createPollingTransport({ ...options, cursor });
    polling.start();
    watched.forEach((id) => polling.watch(id));
  }

  const socket = createSocketTransport({
    ...options,
    cursor,
    onStatus(status) {
      if (status.status === 'answered') {
        watched.delete(status.message_id);
      }
      options.onStatus(status);
    },
    onConnection(report) {
      if (report.mode === 'live') {
        polling?.stop();
        polling = null;
        onConnection(report);
      } else if (polling === null && report.failures >= FailuresBeforeFallback) {
        startFallback();
      } else if (polling === null) {
        onConnection(report);
      }
      // While polling, the page shows the polling transport's reports; the socket keeps retrying quietly.
    },
  });

  return {
    start() {
      socket.start();
    },
    stop() {
      socket.stop();
      polling?.stop();
      polling = null;
    },
    watch(messageId) {
      watched.add(messageId);
      socket.watch(messageId);
      polling?.watch(messageId);
    },
  };
}

/**
 * Which replies the page has, and where a transport resumes. Replies from a query (a replay is one, and so
 * is a long poll) come complete and in id order; replies pushed live may not: two stored at the same moment
 * can be pushed out of id order, and resuming after the larger would skip the smaller if the socket dropped
 * between them. So after a drop, the resume point goes back before whatever was pushed shortly before it,
 * and the repeats that brings are dropped here by id.
 */
function createCursor(afterId) {
  let latest = afterId;
  let resume = afterId;
  const seen = new Set();
  const pushed = []; // {before, at}: recent live replies
  let heldBack = false;

  return {
    get resume() {
      return resume;
    },
    /** True the first time a reply is seen. */
    accept(id, { live }) {
      if (!live) {
        resume = Math.max(resume, id);
      }
      if (id <= afterId || seen.has(id)) {
        return false;
      }
      seen.add(id);
      if (live) {
        pushed.push({ before: latest, at: Date.now() });
      }
      latest = Math.max(latest, id);
      return true;
    },
    /**
     * An open socket closed after `openMs`: resume before anything it pushed in the last moments. Once held
     * back, the resume point moves on only after a socket stayed open long enough to finish its replay.
     */
    dropped(openMs) {
      const now = Date.now();
      while (pushed.length > 0 && now - pushed[0].at > SettleMs) {
        pushed.shift();
      }
      if (pushed.length > 0) {
        resume = Math.max(resume, pushed[0].before);
        heldBack = true;
      } else if (!heldBack || openMs >= SettleMs) {
        resume = latest;
        heldBack = false;
      }
    },
  };
}

/**
 * `/api/v1/ws?session_id=…&after_id=N`: the server replays what came after N, then pushes events live. A session bound
 * to a token offers the subprotocols `chatbridge` and `token.<token>`.
 * Reconnects with backoff and resumes after the replies it has, so none is missed or repeated.
 * `cursor` (optional) is shared with a fallback transport.
 */
export function createSocketTransport({ sessionId, afterId = 0, cursor = createCursor(afterId), onResponse, onStatus, onTyping, onConnection }) {
  let socket = null;
  let stopped = true;
  let timer = null;
  let failures = 0;
  const statuses = createStatusTracker(sessionId, onStatus);

  function url() {
    const address = new URL('/api/v1/ws', window.location.href);
    address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
    address.searchParams.set('session_id', sessionId);
    if (cursor.resume > 0) {
      address.searchParams.set('after_id', String(cursor.resume));
    }
    return address;
  }

  function connect() {
    clearTimeout(timer);
    timer = null;
    if (stopped || socket !== null) {
      return;
    }
    // A token never goes in the address (logs keep addresses): it is offered as a subprotocol, of which the server
    // accepts `chatbridge`. A session without one (an older page's) opens as before.
    const token = sessionTokenFor(sessionId);
    const current = token === null ? new WebSocket(url()) : new WebSocket(url(), ['chatbridge', `token.${token}`]);
    socket = current;
    let openedAt = 0;
    current.addEventListener('open', () => {
      openedAt = Date.now();
      onConnection({ mode: 'live', online: true });
      // Status events sent while we were away are not replayed; one history call catches up.
      statuses.refresh().catch(() => {});
    });
    current.addEventListener('message', (event) => receive(event.data));
    current.addEventListener('close', (event) => {
      if (socket !== current) {
        return;
      }
      socket = null;
      onTyping({ state: 'stop' }); // unknown until we are back; the server repeats a running start
      const failed = openedAt === 0 || Date.now() - openedAt < StableMs;
      if (openedAt > 0) {
        cursor.dropped(Date.now() - openedAt);
      }
      if (stopped) {
        return;
      }
      failures = failed ? failures + 1 : 0;
      // 1008: we fell behind; the replay after the resume point catches up at once.
      const delayMs = event.code === 1008 ? 0 : nextDelay(failed);
      // Only the small indicator says so: a blip is not worth a banner, and once sockets keep failing
      // the fallback takes over and reports whether the server can be reached at all.
      onConnection({ mode: 'reconnecting', online: true, failures });
      timer = setTimeout(connect, delayMs);
    });
  }

  function nextDelay(failed) {
    const ceiling = failed ? Math.min(ReconnectMaxMs, ReconnectBaseMs * 2 ** failures) : ReconnectBaseMs;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  function receive(text) {
    if (stopped) {
      return;
    }
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      return; // not ours to understand; the protocol only sends JSON
    }
    if (event?.type === 'response' && Number.isInteger(event.data?.id)) {
      if (cursor.accept(event.data.id, { live: true })) {
        onResponse(event.data);
      }
    } else if (event?.type === 'status' && event.data) {
      statuses.report(event.data);
    } else if (event?.type === 'typing' && event.data) {
      onTyping({ state: event.data.state });
    }
  }

  /** Back in the tab or back online: a socket waiting out its backoff reconnects now. */
  function reconnectNow() {
    if (!stopped && socket === null && !document.hidden) {
      connect();
    }
  }

  return {
    start() {
      stopped = false;
      document.addEventListener('visibilitychange', reconnectNow);
      window.addEventListener('online', reconnectNow);
      connect();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', reconnectNow);
      window.removeEventListener('online', reconnectNow);
      socket?.close(1000);
      socket = null;
    },
    watch(messageId) {
      statuses.watch(messageId);
    },
  };
}

/** `responses` with `wait`, one call after another; the fallback where a WebSocket cannot be had. */
export function createPollingTransport({ sessionId, afterId = 0, cursor = createCursor(afterId), onResponse, onStatus, onConnection }) {
  let stopped = true;
  let timer = null;
  let statusTimer = null;
  let failures = 0;
  let controller = null;
  const statuses = createStatusTracker(sessionId, onStatus);

  function schedule(delayMs) {
    clearTimeout(timer);
    if (!stopped) {
      timer = setTimeout(poll, delayMs);
    }
  }

  async function poll() {
    controller = new AbortController();
    const { signal } = controller;
    try {
      const data = await callApi('responses', {
        query: { session_id: sessionId, after_id: cursor.resume, wait: LongPollSeconds },
        signal,
      });
      let replied = false;
      for (const response of [...data.responses].sort((a, b) => a.id - b.id)) {
        if (cursor.accept(response.id, { live: false })) {
          replied = true;
          onResponse(response);
        }
      }
      if (replied) {
        await statuses.refresh(signal);
      }
      if (stopped) {
        return;
      }
      if (failures > 0) {
        failures = 0;
        onConnection({ mode: 'polling', online: true });
      }
      schedule(0);
    } catch (error) {
      if (stopped || error.name === 'AbortError') {
        return;
      }
      failures += 1;
      const backoffMs = error.status === 429 && error.retryAfter
        ? error.retryAfter * 1000
        : Math.min(MaxBackoffMs, 2000 * 2 ** (failures - 1));
      onConnection({ mode: 'polling', online: false, retryInSeconds: Math.ceil(backoffMs / 1000), error });
      schedule(backoffMs);
    }
  }

  function checkStatuses() {
    statuses.refresh().catch(() => {}); // the next check, or the next reply, tries again
  }

  function retryNow() {
    // Back in the tab or back online while waiting out a failure: try at once.
    if (!document.hidden && failures > 0) {
      schedule(0);
    }
  }

  return {
    start() {
      stopped = false;
      document.addEventListener('visibilitychange', retryNow);
      window.addEventListener('online', retryNow);
      onConnection({ mode: 'polling', online: true });
      statusTimer = setInterval(checkStatuses, StatusCheckMs);
      schedule(0);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(statusTimer);
      controller?.abort();
      document.removeEventListener('visibilitychange', retryNow);
      window.removeEventListener('online', retryNow);
    },
    watch(messageId) {
      statuses.watch(messageId);
    },
  };
}

/** The delivery states of the session's unanswered messages, reported only when they change. */
function createStatusTracker(sessionId, onStatus) {
  const watched = new Map(); // message id -> deliveryProgress of the last state reported

  // A history answer can be older than a live event that overtook it; states only move forward. A state
  // for a message not watched yet is passed on too: Broca may claim a message before its send returns.
  function report({ message_id: id, status, delivery_count: deliveryCount }) {
    const progress = deliveryProgress(status, deliveryCount);
    if (!watched.has(id)) {
      onStatus({ message_id: id, status, delivery_count: deliveryCount });
    } else if (progress > watched.get(id)) {
      watched.set(id, progress);
      onStatus({ message_id: id, status, delivery_count: deliveryCount });
    }
    if (status === 'answered') {
      watched.delete(id);
    }
  }

  return {
    watch(messageId) {
      if (!watched.has(messageId)) {
        watched.set(messageId, 0);
      }
    },
    report,
    // One history call starting just below the oldest unanswered message covers every watched message.
    async refresh(signal) {
      if (watched.size === 0) {
        return;
      }
      const oldest = Math.min(...watched.keys());
      const data = await callApi('history', { query: { session_id: sessionId, after_id: oldest - 1 }, signal });
      for (const message of data.messages) {
        report({ message_id: message.id, status: message.status, delivery_count: message.delivery_count });
      }
    },
  };
}
