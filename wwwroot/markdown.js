// Agent replies as Markdown: markdown-it with raw HTML off, DOMPurify over what it produces, then links,
// code blocks and tables made safe and usable. The result is a DOM fragment; no HTML string reaches the page.

import MarkdownIt from './lib/markdown-it/markdown-it.js';
import DOMPurify from './lib/dompurify/purify.js';
import { copyText, el } from './api.js';
import { remoteImagesAllowed } from './attachments.js';
import { t } from './i18n.js';

const SafeProtocols = new Set(['http:', 'https:', 'mailto:']);
const AllowedTags = [
  'p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'h3', 'h4', 'h5', 'h6', 'img',
];
const AllowedAttributes = ['href', 'title', 'class', 'start', 'src', 'alt'];

/** A link is clickable only with a web or mail address; a scheme-less one is relative to this page. */
function isSafeUrl(url) {
  const trimmed = String(url).trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) {
    return true;
  }
  try {
    return SafeProtocols.has(new URL(trimmed, window.location.href).protocol);
  } catch {
    return false;
  }
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.validateLink = isSafeUrl;

// The page's own h1 names the agent: a reply's headings start at h3 so they never outrank it.
// Table alignment becomes a class, because the Content-Security-Policy refuses style attributes.
md.core.ruler.push('chat_adjust', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 2)}`;
    }
    const align = token.attrGet('style')?.match(/text-align:(left|center|right)/)?.[1];
    if (align) {
      token.attrs = token.attrs.filter(([name]) => name !== 'style');
      token.attrJoin('class', align === 'left' ? 'text-start' : align === 'right' ? 'text-end' : 'text-center');
    }
  }
});

/**
 * Whether a reply's image may load in the page: the bridge's own files always; an https image elsewhere only where
 * the operator allowed remote images (ChatBridge:Chat:RemoteImages), since loading it tells that site who reads.
 */
function mayShowImage(src) {
  try {
    const url = new URL(src, window.location.href);
    if (url.origin === window.location.origin && url.pathname.startsWith('/files/')) {
      return true;
    }
    return remoteImagesAllowed() && url.protocol === 'https:';
  } catch {
    return false;
  }
}

// Any other image becomes a link to it.
md.renderer.rules.image = (tokens, index, options, env, self) => {
  const token = tokens[index];
  const src = token.attrGet('src') ?? '';
  const label = self.renderInlineAsText(token.children ?? [], options, env) || src;
  if (mayShowImage(src)) {
    return `<img class="reply-image" src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(label)}" loading="lazy">`;
  }
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(t('chat.image', { label }))}</a>`;
};

function codeBlock(pre) {
  const code = pre.querySelector('code');
  const language = code?.className.match(/language-([\w+#.-]+)/)?.[1] ?? '';
  // A wide block scrolls inside itself; the keyboard can reach it to scroll too.
  pre.setAttribute('tabindex', '0');
  const copy = el('button', {
    className: 'btn btn-sm code-copy',
    text: t('chat.copyCode'),
    attrs: { type: 'button' },
  });
  copy.addEventListener('click', async () => {
    const copied = await copyText(code?.textContent ?? pre.textContent);
    copy.textContent = copied ? t('chat.copied') : t('chat.copyFailed');
    setTimeout(() => { copy.textContent = t('chat.copyCode'); }, 1500);
  });
  const header = el('div', { className: 'code-header' }, [
    language
      ? el('span', { className: 'code-language', text: language, attrs: { translate: 'no' } })
      : el('span', { className: 'code-language', text: t('chat.code') }),
    copy,
  ]);
  // Code reads left to right on a right-to-left page too; the header's button stays on the page's side.
  pre.setAttribute('dir', 'ltr');
  pre.setAttribute('translate', 'no');
  const block = el('div', { className: 'code-block' });
  pre.replaceWith(block);
  block.append(header, pre);
}

function tableScroller(table) {
  const scroller = el('div', { className: 'table-scroll', attrs: { tabindex: '0' } });
  table.classList.add('table', 'table-sm', 'table-bordered', 'mb-0');
  table.replaceWith(scroller);
  scroller.append(table);
}

function finishLink(link) {
  const href = link.getAttribute('href');
  if (href === null || !isSafeUrl(href)) {
    // Kept as plain text: the reader sees what the agent wrote but cannot follow it.
    link.replaceWith(...link.childNodes);
    return;
  }
  link.setAttribute('target', '_blank');
  link.setAttribute('rel', 'noopener noreferrer');
}

/** Renders an agent's Markdown into a sanitised fragment ready to append. */
export function renderMarkdown(text) {
  const fragment = DOMPurify.sanitize(md.render(String(text ?? '')), {
    ALLOWED_TAGS: AllowedTags,
    ALLOWED_ATTR: AllowedAttributes,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  fragment.querySelectorAll('a').forEach(finishLink);
  fragment.querySelectorAll('pre').forEach(codeBlock);
  fragment.querySelectorAll('table').forEach(tableScroller);
  return fragment;
}
