// The resident's tickets: current and completed.

import { api, withLang } from "./api.js";
import { element } from "./dom.js";
import { addressLine, fill, statusLabel, texts, when } from "./text.js";

function item(ticket) {
  return element("li", { class: "ticket", "data-number": ticket.number },
    element("p", { class: "ticket-head" },
      element("strong", {}, fill(texts.number, { number: ticket.number })),
      " ",
      element("span", { class: `status status-${ticket.status}` }, statusLabel(ticket.status)),
      ticket.overdue ? element("span", { class: "status overdue" }, texts.overdue) : null),
    element("p", {}, `${ticket.category.name} · ${ticket.cause.name}`),
    element("p", {}, addressLine(ticket.address)),
    element("p", { class: "hint" }, ticket.organisation.name),
    element("p", { class: "hint" }, fill(texts.filed, { date: when(ticket.filed_at) }),
      ticket.due_at ? ` · ${fill(texts.due, { date: when(ticket.due_at) })}` : ""));
}

function fillList(list, tickets) {
  list.replaceChildren(...(tickets.length ? tickets.map(item) : [element("li", { class: "empty" }, texts.nothing_here)]));
}

export async function showTickets() {
  const mine = await api("GET", withLang("/api/tickets"));
  fillList(document.getElementById("current"), mine.current);
  fillList(document.getElementById("completed"), mine.completed);
}
