// A transcript from the admin's session_messages answer as a Markdown or JSON file, built in the browser. The file
// is a record passed between admins and tools, so its headings stay in English whatever the page's language.

/** A message's delivery state in words, naming one that went unanswered after every delivery. */
export function messageStatusText(message) {
  return message.exhausted
    ? `not answered after ${message.delivery_count} deliveries`
    : message.status;
}

/** A size as Broca's attachment lines write it (812 bytes, 14.2 KB, 3.1 MB): the file is a record, not the page. */
export function sizeText(bytes) {
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Who wrote a reply, in words: the agent, or a person from the admin console. */
export function authorText(author) {
  return author === 'admin' ? 'Person (admin)' : 'Agent';
}

/** Messages and replies in one list, by time; a reply stored in the same millisecond follows its message. */
export function transcriptItems(data) {
  return [
    ...data.messages.map((m) => ({ at: m.timestamp, order: 0, id: m.id, who: 'user', text: m.message, status: messageStatusText(m), message: m })),
    ...data.responses.map((r) => ({ at: r.timestamp, order: 1, id: r.id, who: 'agent', author: r.author ?? 'agent', text: r.response, reply: r })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order || a.id - b.id));
}

/** A reply's read receipt and rating, for the Markdown export's heading: " · seen · rated down (unhelpful: too vague)". */
function replyNotes(reply) {
  let notes = reply.seen_at ? ' · seen' : '';
  if (reply.rating === 'up' || reply.rating === 'down') {
    notes += ` · rated ${reply.rating}${reply.reason ? ` (${reply.reason})` : ''}`;
  }
  return notes;
}

export function transcriptMarkdown(data, exportedAt = new Date()) {
  const { session } = data;
  const lines = [
    `# Transcript of ${session.id}`,
    '',
    `- Session: \`${session.id}\``,
    `- User id: \`${session.uid}\``,
  ];
  if (session.agent_id !== null && session.agent_id !== undefined) {
    lines.push(`- Agent: ${session.agent_id}`);
  }
  lines.push(
    `- Messages: ${data.messages.length}, replies: ${data.responses.length}`,
    `- Exported: ${exportedAt.toISOString()}`,
  );
  for (const item of transcriptItems(data)) {
    const heading = item.who === 'user' ? `User · ${item.at} · ${item.status}` : `${authorText(item.author)} · ${item.at}${replyNotes(item.reply)}`;
    lines.push('', `## ${heading}`, '', item.text);
    const attachments = item.message?.attachments ?? [];
    if (attachments.length > 0) {
      lines.push('', ...attachments.map((a) => `- Attachment: ${a.name} (${a.type}, ${sizeText(a.size)}): ${a.url}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function transcriptJson(data, exportedAt = new Date()) {
  return `${JSON.stringify({ exported_at: exportedAt.toISOString(), ...data }, null, 2)}\n`;
}

/** Saves text as a file through a temporary object URL. */
export function download(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
