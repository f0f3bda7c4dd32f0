// Public tracking by number: what anyone may know about a ticket, no personal data.

import { api, withLang } from "./api.js";
import { showError, submitting } from "./dom.js";
import { addressLine, fill, statusLabel, texts, when } from "./text.js";

const form = document.getElementById("track-form");
const result = document.getElementById("result");

function put(id, text) {
  document.getElementById(id).textContent = text || "—";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  result.hidden = true;
  const number = form.elements.number.value.replace(/\D/g, "");
  if (!number) {
    showError(form.querySelector(".error"), texts.enter_number);
    form.elements.number.focus();
    return;
  }
  const ticket = await submitting(form, () => api("GET", withLang(`/api/public/tickets/${number}`)));
  if (ticket === undefined) return;
  put("result-number", fill(texts.number, { number: ticket.number }));
  put("result-status", statusLabel(ticket.status));
  put("result-category", `${ticket.category.name} · ${ticket.cause.name}`);
  put("result-address", addressLine(ticket.address));
  put("result-organisation", ticket.organisation.name);
  put("result-filed", when(ticket.filed_at));
  put("result-due", when(ticket.due_at));
  result.hidden = false;
});
