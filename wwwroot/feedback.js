// 👍 and 👎 under each agent reply. 👎 asks, in a small dialog, what was wrong (a few choices and optional words);
// pressing a pressed button takes the rating back. Ratings go to `?action=feedback`, and `history` brings each reply's
// rating back (`rating`, `reason`), so a reload and another device show it too.

import { callApi, el } from './api.js';
import { t } from './i18n.js';

// The reason codes the API is sent, each with the words the dialog shows.
const Reasons = ['wrong', 'unhelpful', 'unsafe', 'other'];
const MaxReason = 500;

/**
 * `sessionId()` names the open conversation. Returns `control(response)`, the rating buttons for one reply.
 */
export function createFeedback({ sessionId }) {
  // Ratings given since the page loaded: a reply shown again (pushed twice, or re-rendered) keeps the latest.
  const given = new Map();
  let dialog = null;

  /** The rating given on this page, else the one history brought (left out while there is none). */
  function initial(response) {
    const rating = given.has(response.id) ? given.get(response.id) : response.rating ?? null;
    return rating === 'up' || rating === 'down' ? rating : null;
  }

  function control(response) {
    const up = el('button', {
      className: 'btn btn-sm feedback-button',
      attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': t('feedback.up'), title: t('feedback.up'), 'data-rating': 'up' },
    }, [thumb()]);
    const down = el('button', {
      className: 'btn btn-sm feedback-button',
      attrs: { type: 'button', 'aria-pressed': 'false', 'aria-label': t('feedback.down'), title: t('feedback.down'), 'data-rating': 'down' },
    }, [thumb()]);
    const status = el('span', { className: 'feedback-status', attrs: { role: 'status' } });
    const group = el('span', { className: 'feedback', attrs: { role: 'group', 'aria-label': t('feedback.label') } }, [up, down, status]);
    let rating = initial(response);
    const conversation = sessionId();

    function show(value) {
      rating = value;
      up.setAttribute('aria-pressed', String(value === 'up'));
      down.setAttribute('aria-pressed', String(value === 'down'));
      group.dataset.rating = value ?? 'none';
    }

    async function rate(value, reason) {
      const before = rating;
      show(value === 'none' ? null : value);
      status.textContent = '';
      const body = { session_id: conversation, response_id: response.id, rating: value };
      if (reason) {
        body.reason = reason;
      }
      try {
        await callApi('feedback', { method: 'POST', body });
        given.set(response.id, value);
        status.textContent = value === 'none' ? t('feedback.removed') : t('feedback.thanks');
        return true;
      } catch {
        show(before);
        status.textContent = t('feedback.failed');
        return false;
      }
    }

    up.addEventListener('click', () => rate(rating === 'up' ? 'none' : 'up'));
    down.addEventListener('click', async () => {
      if (rating === 'down') {
        await rate('none');
        return;
      }
      // The 👎 counts at once; the reason, if the reader gives one, follows.
      if (await rate('down')) {
        const reason = await askReason();
        if (reason) {
          await rate('down', reason);
        }
      }
      down.focus();
    });
    show(rating);
    return group;
  }

  /**
   * A thumb drawn here rather than the 👍 character, which a system without a colour emoji font shows as an empty box;
   * the 👎 is the same thumb turned over (styles.css).
   */
  function thumb() {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('width', '14');
    svg.setAttribute('height', '14');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', 'M1.5 7h3v7.5h-3zM6 7.2 8.6 1.6c1.3-.3 2.4.7 2.1 2L10.2 6h3.3c1 0 1.7.9 1.5 1.9l-1.2 5.3c-.2.8-.9 1.3-1.7 1.3H6z');
    svg.append(path);
    return svg;
  }

  /** The dialog asking what was wrong: a reason code, optionally followed by `: ` and the reader's words. */
  function askReason() {
    dialog ??= buildDialog();
    const form = dialog.querySelector('form');
    form.reset();
    dialog.returnValue = '';
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => {
        if (dialog.returnValue !== 'send') {
          resolve(null);
          return;
        }
        const code = form.elements.reason.value || 'other';
        const words = form.elements.details.value.replace(/\s+/g, ' ').trim();
        resolve(words ? `${code}: ${words}`.slice(0, MaxReason) : code);
      }, { once: true });
    });
  }

  function buildDialog() {
    const choices = Reasons.map((code) => {
      const id = `feedback-reason-${code}`;
      return el('div', { className: 'form-check' }, [
        el('input', { className: 'form-check-input', attrs: { type: 'radio', name: 'reason', id, value: code } }),
        el('label', { className: 'form-check-label', text: t(`feedback.reason.${code}`), attrs: { for: id } }),
      ]);
    });
    const node = el('dialog', { className: 'feedback-dialog', attrs: { 'aria-labelledby': 'feedback-title' } }, [
      el('form', { attrs: { method: 'dialog' } }, [
        el('h2', { className: 'h6', text: t('feedback.dialogTitle'), attrs: { id: 'feedback-title' } }),
        el('fieldset', { className: 'mb-2' }, [
          el('legend', { className: 'visually-hidden', text: t('feedback.reasonLegend') }),
          ...choices,
        ]),
        el('label', { className: 'form-label small', text: t('feedback.details'), attrs: { for: 'feedback-details' } }),
        el('textarea', { className: 'form-control mb-3', attrs: { id: 'feedback-details', name: 'details', rows: '2', maxlength: '480', dir: 'auto' } }),
        el('div', { className: 'd-flex justify-content-end gap-2' }, [
          el('button', { className: 'btn btn-outline-secondary btn-sm', text: t('feedback.skip'), attrs: { type: 'submit', value: 'skip' } }),
          el('button', { className: 'btn btn-primary btn-sm', text: t('feedback.send'), attrs: { type: 'submit', value: 'send' } }),
        ]),
      ]),
    ]);
    document.body.append(node);
    return node;
  }

  return { control };
}
