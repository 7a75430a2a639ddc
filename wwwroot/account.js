// Signing in with a Sanctum account, shared by the chat page, the widget's panel and the admin console.

import { ApiError, callApi } from './api.js';
import { apiErrorText, formatDuration, t } from './i18n.js';

/** The text the server answers to anyone not signed in where a sign-in is needed (a private host's chat). */
const AuthenticationRequired = 'Authentication required';

/** The signed-in account ({id, username, role}), or null when this browser is not signed in. */
export async function currentUser() {
  try {
    return (await callApi('me')).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return null;
    }
    throw error;
  }
}

/**
 * Signs in; `sessions` are the conversations this browser started anonymously, which become the user's. With
 * `frame` the server sets no cookie and returns the token instead ({user, session_token}).
 */
export function signIn({ username, password, sessions = [], frame = false }) {
  const body = { username, password, sessions };
  if (frame) {
    body.frame = true;
  }
  return callApi('sign_in', { method: 'POST', body });
}

/** Ends the sign-in; a server that cannot be reached leaves the cookie, which then lapses with its row. */
export async function signOut() {
  try {
    await callApi('sign_out', { method: 'POST' });
  } catch (error) {
    console.warn(`Signing out failed: ${error.message}`);
  }
}

/** Whether a chat call was refused only because the host wants its visitors signed in. */
export function needsSignIn(error) {
  return error instanceof ApiError && error.status === 401 && error.message === AuthenticationRequired;
}

/** A refused sign-in in the reader's words; a lockout says how long to wait. */
export function signInErrorText(error) {
  if (error instanceof ApiError && error.status === 429) {
    return t('account.error.locked', { wait: formatDuration(error.retryAfter ?? 60) });
  }
  return apiErrorText(error instanceof ApiError ? error.message : String(error));
}
