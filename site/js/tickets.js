// One line of a ticket list: number, status, overdue mark, what, where, who, when.

import { element } from "./dom.js";
import { addressLine, fill, statusLabel, texts, when } from "./text.js";

const lang = document.documentElement.lang;

export function statusBadges(ticket) {
  const badges = [element("span", { class: `status status-${ticket.status}` }, ticket.status_label || statusLabel(ticket.status))];
  if (ticket.overdue) badges.push(element("span", { class: "status overdue" }, texts.overdue));
  return badges;
}

function ticketItem(ticket) {
  return element("li", { class: "ticket", "data-number": ticket.number },
    element("p", { class: "ticket-head" },
      element("a", { href: `/${lang}/ticket.html?id=${encodeURIComponent(ticket.id)}` },
        fill(texts.number, { number: ticket.number })),
      " ", ...statusBadges(ticket)),
    element("p", {}, `${ticket.category.name} · ${ticket.cause.name}`),
    element("p", {}, addressLine(ticket.address)),
    element("p", { class: "hint" }, ticket.organisation.name),
    element("p", { class: "hint" }, fill(texts.filed, { date: when(ticket.filed_at) }),
      ticket.due_at ? ` · ${fill(texts.due, { date: when(ticket.due_at) })}` : ""));
}

export function fillList(list, tickets) {
  list.replaceChildren(...(tickets.length ? tickets.map(ticketItem)
    : [element("li", { class: "empty" }, texts.nothing_here)]));
}
