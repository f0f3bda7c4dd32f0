// The queue: tickets by state (with counts), filtered, by deadline, a page at a
// time (the API's cursors), and the same selection as a CSV file.

import { element } from "./dom.js";
import { streetPicker } from "./street.js";
import { fill, texts, when } from "./text.js";
import { fillSelect, option, organisations, say, staffApi, topicAndCause, unexpected } from "./staff.js";

const STATES = ["new", "assigned", "in_progress", "done", "reopened", "inspection", "closed", "rejected", "duplicate", "withdrawn"];
const PAGE_SIZE = 25;
const lang = document.documentElement.lang;

export function badges(ticket) {
  const state = ticket.state || ticket.status;
  return [
    element("span", { class: `status status-${state}` }, ticket.status_label || texts.status[state] || state),
    ticket.overdue ? element("span", { class: "status overdue" }, texts.overdue) : null,
    ticket.round > 1 ? element("span", { class: "status status-reopened" }, say.second_round) : null,
    ticket.escalated ? element("span", { class: "status status-inspection" }, say.escalated) : null,
  ].filter(Boolean);
}

function row(ticket) {
  return element("li", { class: "ticket", "data-number": ticket.number },
    element("p", { class: "ticket-head" },
      element("a", { href: `#/ticket/${encodeURIComponent(ticket.id)}` }, fill(texts.number, { number: ticket.number })),
      " ", ...badges(ticket)),
    element("p", {}, `${ticket.topic.label} · ${ticket.cause.label}`),
    element("p", {}, fill(say.address_district, { address: ticket.address, district: ticket.district.label })),
    element("p", { class: "hint" }, `${ticket.organisation.label} · ${say.channels[ticket.channel] || ticket.channel}`),
    element("p", { class: "hint" }, fill(texts.filed, { date: when(ticket.filed_at) }),
      ` · ${fill(texts.due, { date: when(ticket.due_at) })}`));
}

export function queueView(me) {
  const form = document.getElementById("filters");
  const states = document.getElementById("states");
  const list = document.getElementById("queue-list");
  const summary = document.getElementById("queue-summary");
  const previous = document.getElementById("previous-page");
  const next = document.getElementById("next-page");
  let state = "";
  let street = null;
  // The cursor of each page seen so far: the last is the page shown.
  let cursors = [null];
  let following = null;

  function selection() {
    const query = new URLSearchParams();
    if (state) query.set("state", state);
    ["topic", "cause", "organisation", "from", "to", "order"].forEach((name) => {
      if (form.elements[name].value) query.set(name, form.elements[name].value);
    });
    if (street) query.set("street", street.code);
    if (form.elements.overdue.checked) query.set("overdue", "1");
    return query;
  }

  function renderStates(counts) {
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    states.replaceChildren(...[["", say.all_states, total], ...STATES.map((code) => [code, texts.status[code], counts[code] || 0])]
      .map(([code, label, count]) => element("button", {
        type: "button", class: "secondary", "data-state": code, "aria-pressed": String(code === state),
      }, fill(say.state_count, { label, count }))));
  }

  async function load() {
    const query = selection();
    document.getElementById("export").href = `/api/admin/tickets/export?${query}${query.size ? "&" : ""}lang=${lang}`;
    query.set("limit", PAGE_SIZE);
    if (cursors.at(-1)) query.set("after", cursors.at(-1));
    const page = await staffApi("GET", `/tickets?${query}`);
    renderStates(page.counts || {});
    list.replaceChildren(...(page.tickets.length ? page.tickets.map(row)
      : [element("li", { class: "empty" }, say.no_tickets)]));
    summary.textContent = fill(say.shown, { count: page.tickets.length, page: cursors.length });
    following = page.next;
    next.hidden = !following;
    previous.hidden = cursors.length < 2;
  }

  function reload() {
    cursors = [null];
    return load();
  }

  states.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-state]");
    if (!button) return;
    state = button.dataset.state;
    reload().then(() => states.querySelector(`[data-state="${state}"]`).focus(), (error) => unexpected(summary, error));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    reload().catch((error) => unexpected(summary, error));
  });
  form.addEventListener("reset", () => {
    street = null;
    setTimeout(() => reload().catch((error) => unexpected(summary, error)));
  });
  next.addEventListener("click", () => {
    cursors.push(following);
    load().then(() => list.querySelector("a, li").scrollIntoView({ block: "nearest" }), (error) => unexpected(summary, error));
  });
  previous.addEventListener("click", () => {
    cursors.pop();
    load().catch((error) => unexpected(summary, error));
  });
  streetPicker(form.elements.street, document.getElementById("f-street-options"), (picked) => { street = picked; });

  // An executor sees their own organisation's tickets only: no choice to offer.
  const byOrganisation = document.querySelector("[data-organisation-filter]");
  byOrganisation.hidden = me.role === "executor";
  const ready = Promise.all([
    topicAndCause(form.elements.topic, form.elements.cause),
    me.role === "executor" ? null : organisations().then((orgs) => fillSelect(form.elements.organisation,
      orgs.filter((org) => org.kind === "executor").map((org) => option(org.code, org.label)))),
  ]);

  return {
    async show() {
      await ready;
      await load();
    },
  };
}
