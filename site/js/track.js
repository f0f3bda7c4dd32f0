// Public tracking by number: what anyone may know about a ticket, no personal data.
// `?number=` (a link from an SMS, or "follow this one instead") looks it up at once.

import { api, withLang } from "./api.js";
import { formAlert, showError, submitting } from "./dom.js";
import { addressLine, fill, statusLabel, texts, when } from "./text.js";

const form = document.getElementById("track-form");
const result = document.getElementById("result");

function put(id, text) {
  document.getElementById(id).textContent = text || "—";
}

async function look() {
  result.hidden = true;
  const field = form.elements.number;
  const number = field.value.replace(/\D/g, "");
  field.removeAttribute("aria-invalid");
  if (!number) {
    showError(formAlert(form), texts.enter_number);
    field.setAttribute("aria-invalid", "true");
    field.focus();
    return;
  }
  const ticket = await submitting(form, () => api("GET", withLang(`/api/public/tickets/${number}`)));
  if (ticket === undefined) {
    field.setAttribute("aria-invalid", "true");
    return;
  }
  put("result-number", fill(texts.number, { number: ticket.number }));
  put("result-status", ticket.status_label || statusLabel(ticket.status));
  put("result-category", `${ticket.category.name} · ${ticket.cause.name}`);
  put("result-address", addressLine(ticket.address));
  put("result-organisation", ticket.organisation.name);
  put("result-filed", when(ticket.filed_at));
  put("result-due", when(ticket.due_at));
  result.hidden = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  look();
});

const asked = new URLSearchParams(window.location.search).get("number");
if (asked) {
  form.elements.number.value = asked;
  look();
}
