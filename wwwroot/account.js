// Signing in with a Sanctum account, shared by the chat page, the widget's panel and the admin console.

import { ApiError, callApi, hasSanctumSession } from './api.js';
import { apiErrorText, formatDuration, t } from './i18n.js';

/** The text the server answers to anyone not signed in where a sign-in is needed (a private host's chat). */
const AuthenticationRequired = 'Authentication required';

/**
 * Set while this browser holds a sign-in cookie (which scripts cannot see), so a visitor's page never asks `me` only
 * to be refused: that 401 would be a console error on every visit.
 */
const SignedInHint = 'chatbridge.signedIn';

function rememberSignIn(signedIn) {
  try {
    if (signedIn) {
      localStorage.setItem(SignedInHint, '1');
    } else {
      localStorage.removeItem(SignedInHint);
    }
  } catch {
    // Storage refused (a private window's quota): the next page asks the server as if signed in.
  }
}

function remembersSignIn() {
  try {
    return localStorage.getItem(SignedInHint) !== null;
  } catch {
    return true;
  }
}

/** The signed-in account ({id, username, role}), or null when this browser is not signed in. */
export async function currentUser() {
  if (!hasSanctumSession() && !remembersSignIn()) {
    return null;
  }
  try {
    return (await callApi('me')).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      rememberSignIn(false);
      return null;
    }
    throw error;
  }
}

/**
 * Signs in; `sessions` are the conversations this browser started anonymously, which become the user's. With
 * `frame` the server sets no cookie and returns the token instead ({user, session_token}).
 */
export async function signIn({ username, password, sessions = [], frame = false }) {
  const body = { username, password, sessions };
  if (frame) {
    body.frame = true;
  }
  const data = await callApi('sign_in', { method: 'POST', body });
  if (!frame) {
    rememberSignIn(true);
  }
  return data;
}

/** Ends the sign-in; a server that cannot be reached leaves the cookie, which then lapses with its row. */
export async function signOut() {
  rememberSignIn(false);
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
