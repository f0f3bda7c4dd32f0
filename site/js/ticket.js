// One of the resident's tickets: its facts, photos and history, and what the
// resident may do now (confirm, refute, rate, add a note, withdraw).

import { api, ApiError, withLang } from "./api.js";
import { element, formAlert, showError, submitting } from "./dom.js";
import { photoPicker } from "./photos.js";
import { pageError, signedInPage } from "./session.js";
import { addressLine, fill, statusLabel, texts, when } from "./text.js";
import { statusBadges } from "./tickets.js";

const id = new URLSearchParams(window.location.search).get("id") || "";
const forms = [...document.querySelectorAll("form[data-action]")];
let refutePhotos = [];
let picker;

function put(name, text) {
  document.getElementById(`t-${name}`).textContent = text || "—";
}

function render(ticket) {
  document.getElementById("ticket-title").textContent = fill(texts.number, { number: ticket.number });
  document.title = `${fill(texts.number, { number: ticket.number })} · ${document.title.split(" · ").pop()}`;
  // "Second round" stays visible after the executor takes the ticket again.
  const second = ticket.round > 1 && ticket.status !== "reopened";
  document.getElementById("badges").replaceChildren(...statusBadges(ticket),
    ...(second ? [element("span", { class: "status status-reopened" }, texts.status.reopened)] : []));
  put("problem", `${ticket.category.name} · ${ticket.cause.name}`);
  put("address", addressLine(ticket.address) + (ticket.address.note ? ` (${ticket.address.note})` : ""));
  put("organisation", ticket.organisation.name);
  put("filed", when(ticket.filed_at));
  put("due", when(ticket.due_at));
  put("description", ticket.description);
  put("rating", ticket.rating ? fill(texts.stars, { count: ticket.rating }) : "");
  document.getElementById("t-rating-row").hidden = !ticket.rating;
  document.getElementById("t-photos").replaceChildren(...(ticket.photos || [])
    .filter((photo) => photo && photo.url)
    .map((photo, index) => element("li", {}, element("a", { href: photo.url }, element("img", {
      src: photo.url, alt: fill(texts.photo_number, { number: index + 1 }), loading: "lazy",
    })))));
  document.getElementById("t-history").replaceChildren(...(ticket.history || []).map((event) => element("li", {},
    element("time", { datetime: event.at }, when(event.at)), " ",
    element("strong", {}, texts.history[event.command] || statusLabel(event.to)),
    event.note ? element("p", { class: "note" }, event.note) : null)));
  forms.forEach((form) => {
    form.hidden = !ticket.actions.includes(form.dataset.action);
    form.reset();
  });
  refutePhotos = [];
  if (picker) picker.clear();
  document.getElementById("ticket").hidden = false;
}

function body(form) {
  const action = form.dataset.action;
  const comment = form.elements.comment ? form.elements.comment.value.trim() : "";
  if (action === "refute") {
    if (!comment) return [null, texts.enter_comment, form.elements.comment];
    return [{ comment, photos: refutePhotos.map((photo) => photo.key) }];
  }
  if (action === "rate") {
    const stars = form.querySelector("input[name=stars]:checked");
    if (!stars) return [null, texts.choose_stars, form.querySelector("input[name=stars]")];
    return [{ stars: Number(stars.value), comment }];
  }
  if (action === "comment") {
    const text = form.elements.text.value.trim();
    if (!text) return [null, texts.enter_comment, form.elements.text];
    return [{ text }];
  }
  return [{}];
}

function wire(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [data, message, field] = body(form);
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
    if (!data) {
      showError(formAlert(form), message);
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    const action = form.dataset.action;
    const changed = await submitting(form, () => api("POST", withLang(`/api/tickets/${encodeURIComponent(id)}/${action}`), { body: data }));
    if (changed === undefined) return;
    render(changed);
    const done = document.getElementById("action-done");
    done.textContent = texts.action_done[action];
    done.hidden = false;
    done.focus();
  });
}

signedInPage(async () => {
  forms.forEach(wire);
  picker = photoPicker(document.querySelector("#refute-form [data-photos]"), [], (kept) => { refutePhotos = kept; });
  try {
    render(await api("GET", withLang(`/api/tickets/${encodeURIComponent(id)}`)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) pageError(error);
    else throw error;
  }
});
