// The admin page's service dashboard: messages and replies per hour and per day, reply latency per day, the
// backlog, all from the stats action. Charts are Chart.js (window.Chart, served by the bridge from npm); each one
// has the same figures as a table, for screen readers and for copying.

import { el } from './api.js';

const Chart = window.Chart;
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

function hourLabel(start) {
  return `${start.slice(11, 13)}:00`;
}

function dayLabel(start) {
  return start.slice(5, 10);
}

/** "1.2 s", "75 s", "12.5 min": a latency for people. */
export function formatSeconds(seconds) {
  if (seconds === null) {
    return '—';
  }
  if (seconds < 100) {
    return `${Number(seconds.toFixed(1))} s`;
  }
  return `${Number((seconds / 60).toFixed(1))} min`;
}

function fillTable(table, headers, rows) {
  table.querySelector('thead').replaceChildren(el('tr', {}, headers.map((text) => el('th', { text, attrs: { scope: 'col' } }))));
  table.querySelector('tbody').replaceChildren(...rows.map(([label, ...cells]) =>
    el('tr', {}, [el('th', { text: label, attrs: { scope: 'row' } }), ...cells.map((text) => el('td', { text: String(text) }))])));
}

function chartOptions(colors, yTitle) {
  const axis = (title) => ({
    beginAtZero: true,
    ticks: { color: colors.text, precision: 0 },
    grid: { color: colors.grid },
    title: title ? { display: true, text: title, color: colors.text } : undefined,
  });
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: 'index', intersect: false },
    plugins: { legend: { labels: { color: colors.text } } },
    scales: { x: { ...axis(null), ticks: { color: colors.text, autoSkip: true, maxRotation: 0 } }, y: axis(yTitle) },
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
    agent: document.getElementById('latency-agent'),
    hourlyTable: document.getElementById('table-hourly'),
    dailyTable: document.getElementById('table-daily'),
    latencyTable: document.getElementById('table-latency'),
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
    charts[name] = new Chart(canvases[name], { type, data: { labels, datasets }, options: chartOptions(palette(), yTitle) });
  }

  function activityDatasets(buckets, colors) {
    return [
      { label: 'Messages', data: buckets.map((b) => b.messages), backgroundColor: colors.first, borderColor: colors.first },
      { label: 'Replies', data: buckets.map((b) => b.replies), backgroundColor: colors.second, borderColor: colors.second },
    ];
  }

  function drawLatency() {
    const colors = palette();
    const days = latencySeries();
    draw('latency', 'line', days.map((d) => dayLabel(d.start)), [
      { label: 'p50', data: days.map((d) => d.p50_seconds), borderColor: colors.first, backgroundColor: colors.first, spanGaps: true },
      { label: 'p95', data: days.map((d) => d.p95_seconds), borderColor: colors.third, backgroundColor: colors.third, spanGaps: true },
    ], 'seconds');
    fillTable(ui.latencyTable, ['Day (UTC)', 'Answered', 'p50', 'p95'],
      days.map((d) => [d.start.slice(0, 10), d.answered, formatSeconds(d.p50_seconds), formatSeconds(d.p95_seconds)]));
  }

  function render() {
    const colors = palette();
    draw('hourly', 'bar', stats.hourly.map((b) => hourLabel(b.start)), activityDatasets(stats.hourly, colors), 'count');
    draw('daily', 'line', stats.daily.map((b) => dayLabel(b.start)), activityDatasets(stats.daily, colors), 'count');
    drawLatency();
    fillTable(ui.hourlyTable, ['Hour (UTC)', 'Messages', 'Replies'],
      stats.hourly.map((b) => [`${b.start.slice(0, 10)} ${hourLabel(b.start)}`, b.messages, b.replies]));
    fillTable(ui.dailyTable, ['Day (UTC)', 'Messages', 'Replies'], stats.daily.map((b) => [b.start.slice(0, 10), b.messages, b.replies]));
  }

  function renderFigures() {
    ui.waiting.textContent = String(stats.backlog.waiting);
    ui.oldest.textContent = stats.backlog.oldest_age_seconds === null ? 'none waiting' : `oldest ${formatSeconds(stats.backlog.oldest_age_seconds)}`;
    ui.dayMessages.textContent = String(stats.hourly.reduce((sum, b) => sum + b.messages, 0));
    ui.dayReplies.textContent = String(stats.hourly.reduce((sum, b) => sum + b.replies, 0));
  }

  function renderAgentPicker() {
    const chosen = ui.agent.value;
    ui.agent.replaceChildren(
      el('option', { text: 'All agents', attrs: { value: AllAgents } }),
      ...stats.latency.agents.map((agent) => el('option', { text: agentName(agent.agent_id), attrs: { value: String(agent.agent_id) } })));
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
      stats = await load();
      renderFigures();
      renderAgentPicker();
      render();
    },
  };
}
