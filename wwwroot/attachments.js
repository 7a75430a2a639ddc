// Attaching files on the chat page and the widget's panel: picked with the button, dropped on the page or pasted,
// checked against the server's rules before anything is sent, uploaded at once with a progress bar, shown as a
// thumbnail or a file chip until the message goes, and shown with the messages that carry them.

import { callApi, el, uploadFile } from './api.js';
import { apiErrorText, formatSize, t } from './i18n.js';

// What the page assumes until the server says (GET upload); the server checks again whatever the page lets through.
const DefaultRules = {
  max_file_bytes: 10 * 1024 * 1024,
  max_files_per_message: 5,
  types: ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf', 'text/plain', 'text/csv'],
  remote_images: false,
};
// Browsers leave the type empty for some files (a .md, a .log): the extension then says whether to try.
const TextExtensions = /\.(txt|text|log|md|csv)$/i;

let rules = DefaultRules;

/** Reads the server's limits once; the page keeps its defaults when it cannot. */
export async function loadRules() {
  try {
    rules = { ...DefaultRules, ...(await callApi('upload')) };
  } catch {
    rules = DefaultRules;
  }
  return rules;
}

export function remoteImagesAllowed() {
  return rules.remote_images === true;
}

function accepted(file) {
  return rules.types.includes(file.type) || (file.type === '' && TextExtensions.test(file.name));
}

function isImage(type) {
  return type.startsWith('image/');
}

/**
 * The tray of files waiting to go with the next message. `sessionId()` names the session uploads belong to;
 * `onChange()` is told whenever the tray changes, so the composer can enable its button; `onError(text)` shows why a
 * file was refused.
 */
export function createTray({ tray, input, button, dropZone, paste, hint, sessionId, onChange, onError }) {
  const items = [];

  function hintText() {
    return t('attach.limits', { count: rules.max_files_per_message, size: formatSize(rules.max_file_bytes) });
  }
  hint.textContent = hintText();
  loadRules().then(() => { hint.textContent = hintText(); });

  function remove(item) {
    item.abort.abort();
    if (item.preview) {
      URL.revokeObjectURL(item.preview);
    }
    item.node.remove();
    items.splice(items.indexOf(item), 1);
    tray.classList.toggle('d-none', items.length === 0);
    onChange();
  }

  function chip(file, preview) {
    const { name } = file;
    const label = preview
      ? el('img', { className: 'attachment-thumb', attrs: { src: preview, alt: name } })
      : el('span', { className: 'attachment-file-name', text: name, attrs: { translate: 'no' } });
    const size = el('data', { className: 'attachment-size', text: formatSize(file.size), attrs: { value: String(file.size) } });
    const progress = el('progress', { className: 'attachment-progress', attrs: { max: '100', value: '0', 'aria-label': t('attach.uploading', { name }) } });
    const status = el('span', { className: 'visually-hidden', attrs: { role: 'status' } });
    const close = el('button', { className: 'btn-close attachment-remove', attrs: { type: 'button', 'aria-label': t('attach.remove', { name }) } });
    const node = el('li', { className: 'attachment-chip' }, [label, size, progress, status, close]);
    return { node, progress, status, close, name };
  }

  function add(file) {
    if (!accepted(file)) {
      onError(t('attach.unsupported', { name: file.name }));
      return;
    }
    if (file.size > rules.max_file_bytes) {
      onError(t('attach.tooLarge', { name: file.name, size: formatSize(rules.max_file_bytes) }));
      return;
    }
    if (items.length >= rules.max_files_per_message) {
      onError(t('attach.tooMany', { count: rules.max_files_per_message }));
      return;
    }
    const preview = isImage(file.type) ? URL.createObjectURL(file) : null;
    const parts = chip(file, preview);
    const item = { ...parts, file, preview, uploaded: null, failed: false, abort: new AbortController() };
    parts.close.addEventListener('click', () => remove(item));
    items.push(item);
    tray.append(item.node);
    tray.classList.remove('d-none');
    onChange();
    uploadFile(sessionId(), file, {
      signal: item.abort.signal,
      onProgress: (fraction) => { item.progress.value = Math.round(fraction * 100); },
    }).then((uploaded) => {
      item.uploaded = uploaded;
      item.progress.value = 100;
      item.node.dataset.state = 'uploaded';
      item.status.textContent = t('attach.uploaded', { name: item.name });
      onChange();
    }, (error) => {
      if (error.name === 'AbortError') {
        return;
      }
      item.failed = true;
      item.node.dataset.state = 'failed';
      onError(t('attach.failed', { name: item.name, reason: apiErrorText(error.message) }));
      remove(item);
    });
  }

  function addAll(files) {
    for (const file of files) {
      add(file);
    }
  }

  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    addAll([...input.files]);
    input.value = '';
  });
  paste.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length > 0) {
      event.preventDefault();
      addAll(files);
    }
  });
  dropZone.addEventListener('dragover', (event) => {
    if ([...event.dataTransfer.types].includes('Files')) {
      event.preventDefault();
      dropZone.classList.add('drop-target');
    }
  });
  dropZone.addEventListener('dragleave', (event) => {
    if (!dropZone.contains(event.relatedTarget)) {
      dropZone.classList.remove('drop-target');
    }
  });
  dropZone.addEventListener('drop', (event) => {
    dropZone.classList.remove('drop-target');
    if (event.dataTransfer.files.length > 0) {
      event.preventDefault();
      addAll([...event.dataTransfer.files]);
    }
  });

  return {
    /** Whether a file is still on its way: the message waits for it. */
    get uploading() {
      return items.some((item) => item.uploaded === null && !item.failed);
    },
    /** The uploads, in the order they were added, for `messages` and for the sent bubble. */
    get uploaded() {
      return items.filter((item) => item.uploaded !== null).map((item) => item.uploaded);
    },
    clear() {
      for (const item of [...items]) {
        remove(item);
      }
    },
  };
}

/**
 * An attachment's link for this page: as it is while it works, else fetched with `headers` (the session id, which
 * only the session's owner has, or the admin key) and shown from memory: an expired link answers 404 to everyone
 * else, and neither an <img> nor a link can send a header of its own.
 */
async function linkFor(attachment, headers) {
  if (!attachment.expires_at || new Date(attachment.expires_at) > new Date()) {
    return attachment.url;
  }
  const response = await fetch(attachment.url, { headers });
  return response.ok ? URL.createObjectURL(await response.blob()) : null;
}

/**
 * The attachments of a message, as thumbnails that open the image and chips that download the file. `headers` prove
 * the right to an expired link (see linkFor); `withType` adds each file's media type to its chip, for the admin.
 */
export function attachmentList(attachments, headers, { withType = false } = {}) {
  const list = el('ul', { className: 'message-attachments' });
  for (const attachment of attachments) {
    const image = isImage(attachment.type);
    const link = el('a', {
      className: image ? 'attachment-image-link' : 'attachment-chip attachment-download',
      attrs: { target: '_blank', rel: 'noopener noreferrer' },
    });
    if (image) {
      const img = el('img', { className: 'attachment-image', attrs: { alt: attachment.name, loading: 'lazy' } });
      if (attachment.width && attachment.height) {
        img.width = attachment.width;
        img.height = attachment.height;
      }
      link.append(img);
    } else {
      link.setAttribute('download', attachment.name);
      link.append(
        el('span', { className: 'attachment-file-name', text: attachment.name, attrs: { translate: 'no' } }),
        ...(withType ? [el('span', { className: 'attachment-type', text: attachment.type, attrs: { dir: 'ltr', translate: 'no' } })] : []),
        el('data', { className: 'attachment-size', text: formatSize(attachment.size), attrs: { value: String(attachment.size) } }),
      );
    }
    linkFor(attachment, headers).then((url) => {
      if (url !== null) {
        link.href = url;
        link.querySelector('img')?.setAttribute('src', url);
      }
    }, () => {});
    list.append(el('li', {}, [link]));
  }
  return list;
}
