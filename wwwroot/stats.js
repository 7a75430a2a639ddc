// The admin page's service dashboard: messages and replies per hour and per day, reply latency per day, the
// backlog, the attachments' storage, all from the stats action. Charts are Chart.js (window.Chart, served by the bridge from npm); each one
// has the same figures as a table, for screen readers and for copying.

import { el } from './api.js';
import { formatDate, formatDuration, formatNumber, formatSize, t } from './i18n.js';


let chartLibrary = null;

/**
 * Chart.js (a classic script defining window.Chart), loaded when the dashboard is first drawn: the sign-in form, all
 * that a visitor who has no key sees, does not wait for its 200 KB.
 */
function loadChart() {
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('lib/chart.js/chart.umd.js', import.meta.url).href;
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => reject(new Error('Chart.js did not load')));
    document.head.append(script);
  });
  return chartLibrary;
}
const AllAgents = '';

/** Chart.js's colours from Bootstrap's variables, read again whenever the theme changes. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  const value = (name) => css.getPropertyValue(name).trim();
  return {
    text: value('--bs-body-color'),
    grid: value('--bs-border-color'),
    first: value('--bs-primary'),
    second: value('--bs-success'),
    third: value('--bs-warning'),
  };
}

// The buckets are UTC hours and days; their labels are written as the locale writes times and dates.
function hourLabel(start) {
  return formatDate(start, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' });
}

function dayLabel(start) {
  return formatDate(start, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** The tables keep ISO 8601 days and hours (2026-12-04 14:00): they are there to be read out and copied as data. */
function isoDay(start) {
  return start.slice(0, 10);
}

/** "1.2 s", "75 s", "12.5 min": a latency for people, one decimal, in the locale's numbers and units. */
export function formatSeconds(seconds) {
  if (seconds === null) {
    return '—';
  }
  const oneDecimal = (value) => Number(value.toFixed(1));
  if (seconds < 100) {
    return t('duration.seconds', { count: oneDecimal(seconds) });
  }
  return t('duration.minutes', { count: oneDecimal(seconds / 60) });
}

function fillTable(table, headers, rows) {
  table.querySelector('thead').replaceChildren(el('tr', {}, headers.map((text) => el('th', { text, attrs: { scope: 'col' } }))));
  table.querySelector('tbody').replaceChildren(...rows.map(([label, ...cells]) =>
    el('tr', {}, [el('th', { text: label, attrs: { scope: 'row' } }), ...cells.map((cell) => el('td', { text: typeof cell === 'number' ? formatNumber(cell) : cell }))])));
}

function chartOptions(colors, yTitle) {
  const axis = (title) => ({
    beginAtZero: true,
    ticks: { color: colors.text, precision: 0, callback: (value) => formatNumber(value) },
    grid: { color: colors.grid },
    title: title ? { display: true, text: title, color: colors.text } : undefined,
  });
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    locale: document.documentElement.lang,
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { labels: { color: colors.text } } },
    scales: { x: { ...axis(null), reverse: document.documentElement.dir === 'rtl', ticks: { color: colors.text, autoSkip: true, maxRotation: 0 } }, y: axis(yTitle) },
  };
}

/**
 * The dashboard in the page's #service-stats section. `load` fetches the stats action's data; `agentName` names
 * an agent id for the latency picker.
 */
export function createServiceDashboard({ load, agentName }) {
  const ui = {
    waiting: document.getElementById('stats-waiting'),
    oldest: document.getElementById('stats-oldest'),
    dayMessages: document.getElementById('stats-day-messages'),
    dayReplies: document.getElementById('stats-day-replies'),
    storageBytes: document.getElementById('stats-storage-bytes'),
    storageFiles: document.getElementById('stats-storage-files'),
    agent: document.getElementById('latency-agent'),
    hourlyTable: document.getElementById('table-hourly'),
    dailyTable: document.getElementById('table-daily'),
    latencyTable: document.getElementById('table-latency'),
    satisfactionTable: document.getElementById('table-satisfaction'),
    satisfactionEmpty: document.getElementById('satisfaction-empty'),
  };
  const canvases = {
    hourly: document.getElementById('chart-hourly'),
    daily: document.getElementById('chart-daily'),
    latency: document.getElementById('chart-latency'),
  };
  const charts = {};
  let stats = null;

  function latencySeries() {
    const agentId = ui.agent.value;
    if (agentId === AllAgents) {
      return stats.latency.overall;
    }
    return stats.latency.agents.find((agent) => String(agent.agent_id) === agentId)?.daily ?? stats.latency.overall;
  }

  function draw(name, type, labels, datasets, yTitle) {
    charts[name]?.destroy();
    charts[name] = new window.Chart(canvases[name], { type, data: { labels, datasets }, options: chartOptions(palette(), yTitle) });
  }

  function activityDatasets(buckets, colors) {
    return [
      { label: t('stats.messages'), data: buckets.map((b) => b.messages), backgroundColor: colors.first, borderColor: colors.first },
      { label: t('stats.replies'), data: buckets.map((b) => b.replies), backgroundColor: colors.second, borderColor: colors.second },
    ];
  }

  function drawLatency() {
    const colors = palette();
    const days = latencySeries();
    draw('latency', 'line', days.map((d) => dayLabel(d.start)), [
      { label: t('stats.p50'), data: days.map((d) => d.p50_seconds), borderColor: colors.first, backgroundColor: colors.first, spanGaps: true },
      { label: t('stats.p95'), data: days.map((d) => d.p95_seconds), borderColor: colors.third, backgroundColor: colors.third, spanGaps: true },
    ], t('stats.seconds'));
    fillTable(ui.latencyTable, [t('stats.dayUtc'), t('stats.answered'), t('stats.p50'), t('stats.p95')],
      days.map((d) => [isoDay(d.start), d.answered, formatSeconds(d.p50_seconds), formatSeconds(d.p95_seconds)]));
  }

  function render() {
    const colors = palette();
    draw('hourly', 'bar', stats.hourly.map((b) => hourLabel(b.start)), activityDatasets(stats.hourly, colors), t('stats.count'));
    draw('daily', 'line', stats.daily.map((b) => dayLabel(b.start)), activityDatasets(stats.daily, colors), t('stats.count'));
    drawLatency();
    fillTable(ui.hourlyTable, [t('stats.hourUtc'), t('stats.messages'), t('stats.replies')],
      stats.hourly.map((b) => [`${isoDay(b.start)} ${b.start.slice(11, 16)}`, b.messages, b.replies]));
    fillTable(ui.dailyTable, [t('stats.dayUtc'), t('stats.messages'), t('stats.replies')], stats.daily.map((b) => [isoDay(b.start), b.messages, b.replies]));
  }

  /** Ratings per day and agent, newest day first, with the share rated up: the visitors' satisfaction. */
  function renderSatisfaction() {
    const days = [...(stats.satisfaction ?? [])].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
    ui.satisfactionEmpty.classList.toggle('d-none', days.length > 0);
    fillTable(ui.satisfactionTable, [t('stats.dayUtc'), t('admin.agent'), t('stats.ratedUp'), t('stats.ratedDown'), t('stats.satisfaction')],
      days.map((d) => [d.day, d.agent_id === null ? t('chat.defaultAgent') : agentName(d.agent_id), d.up, d.down,
        formatNumber(d.up / Math.max(1, d.up + d.down), { style: 'percent' })]));
  }

  function renderFigures() {
    ui.waiting.textContent = formatNumber(stats.backlog.waiting);
    ui.oldest.textContent = stats.backlog.oldest_age_seconds === null
      ? t('stats.noneWaiting')
      : t('stats.oldest', { age: formatDuration(stats.backlog.oldest_age_seconds) });
    ui.dayMessages.textContent = formatNumber(stats.hourly.reduce((sum, b) => sum + b.messages, 0));
    ui.dayReplies.textContent = formatNumber(stats.hourly.reduce((sum, b) => sum + b.replies, 0));
    // A <data> element: the size is Intl's, in the locale's units, with the exact bytes as its value.
    ui.storageBytes.textContent = formatSize(stats.attachments.bytes);
    ui.storageBytes.value = String(stats.attachments.bytes);
    ui.storageFiles.textContent = t('stats.storageFiles', { count: stats.attachments.files });
  }

  function renderAgentPicker() {
    const chosen = ui.agent.value;
    ui.agent.replaceChildren(
      el('option', { text: t('admin.allAgents'), attrs: { value: AllAgents } }),
      ...stats.latency.agents.map((agent) => el('option', { text: agentName(agent.agent_id), attrs: { value: String(agent.agent_id), translate: 'no' } })));
    ui.agent.value = stats.latency.agents.some((agent) => String(agent.agent_id) === chosen) ? chosen : AllAgents;
  }

  ui.agent.addEventListener('change', () => {
    if (stats !== null) {
      drawLatency();
    }
  });
  // theme.js switches data-bs-theme; the canvases take the new colours.
  new MutationObserver(() => {
    if (stats !== null) {
      render();
    }
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-bs-theme'] });

  return {
    async refresh() {
      [stats] = await Promise.all([load(), loadChart()]);
      renderFigures();
      renderAgentPicker();
      render();
      renderSatisfaction();
    },
  };
}
