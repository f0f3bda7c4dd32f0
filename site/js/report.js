// Filing a ticket: topic → cause → address → description → photos → review → send.
// The draft lives in localStorage, so a reload or a lost connection loses nothing;
// it keeps its Idempotency-Key until the ticket is accepted, so sending again after
// a lost answer, or from the offline queue, cannot file the ticket twice.

import { api, ApiError, newKey, withLang } from "./api.js";
import { element, showError } from "./dom.js";
import { photoPicker } from "./photos.js";
import { DRAFT, showSignedOut, signedInPage } from "./session.js";
import { streetPicker } from "./street.js";
import { addressLine, deadlineClass, fill, statusLabel, texts, when } from "./text.js";

const STEPS = ["topic", "cause", "address", "description", "photos", "review"];
const LIMIT = 4000;
const FIELDS = ["house", "entrance", "flat", "note", "description"];
const lang = document.documentElement.lang;

function loadDraft() {
  try {
    return JSON.parse(localStorage.getItem(DRAFT)) || {};
  } catch {
    return {};
  }
}

async function startReport() {
  const form = document.getElementById("report-form");
  const alert = document.getElementById("report-error");
  const sent = document.getElementById("sent");
  const steps = document.getElementById("steps");
  const queued = document.getElementById("queued");
  const topics = await api("GET", withLang("/api/categories"));
  let draft = { step: "topic", photos: [], ...loadDraft() };
  let sending = false;

  const save = () => localStorage.setItem(DRAFT, JSON.stringify(draft));
  const topic = () => topics.find((t) => t.code === draft.topic);
  const cause = () => (topic() ? topic().causes.find((c) => c.code === draft.cause) : undefined);

  function choice(name, value, checked, ...label) {
    return element("label", { class: "choice" },
      element("input", { type: "radio", name, value, checked }),
      element("span", {}, ...label));
  }

  function renderTopics() {
    document.getElementById("topics").replaceChildren(
      ...topics.map((t) => choice("topic", t.code, t.code === draft.topic, t.name)));
  }

  function renderCauses() {
    const causes = topic() ? topic().causes : [];
    document.getElementById("causes").replaceChildren(...causes.map((c) => choice(
      "cause", c.code, c.code === draft.cause, c.name, element("small", {}, deadlineClass(c)))));
    renderAdvice();
  }

  function renderAdvice() {
    const advice = document.getElementById("advice");
    advice.textContent = (cause() && cause().advice) || "";
    advice.hidden = !advice.textContent;
  }

  function addressText() {
    const line = addressLine({ ...draft, street_name: draft.street ? draft.street.name : "" });
    return draft.note ? `${line} (${draft.note})` : line;
  }

  function renderLocation() {
    document.getElementById("located").textContent = draft.lat === undefined ? ""
      : fill(texts.located, { lat: draft.lat.toFixed(5), lon: draft.lon.toFixed(5) });
  }

  // Open tickets with this cause at this address: follow one instead of a duplicate.
  async function renderSimilar() {
    const box = document.getElementById("similar");
    box.hidden = true;
    const query = new URLSearchParams({ cause: draft.cause, street: draft.street.code, house: draft.house.trim() });
    let similar;
    try {
      similar = await api("GET", withLang(`/api/tickets/similar?${query}`));
    } catch {
      return;
    }
    const tickets = Array.isArray(similar) ? similar : similar.tickets || [];
    document.getElementById("similar-list").replaceChildren(...tickets.map((ticket) => element("li", { class: "ticket" },
      element("p", {}, element("strong", {}, fill(texts.number, { number: ticket.number })), " ",
        element("span", { class: `status status-${ticket.status}` }, ticket.status_label || statusLabel(ticket.status))),
      element("p", { class: "hint" }, fill(texts.filed, { date: when(ticket.filed_at) })),
      element("a", { href: `/${lang}/track.html?number=${encodeURIComponent(ticket.number)}`, "data-follow": "" },
        texts.follow_instead))));
    box.hidden = !tickets.length;
  }

  function renderReview() {
    document.getElementById("review-topic").textContent = topic().name;
    document.getElementById("review-cause").textContent = cause().name;
    document.getElementById("review-deadline").textContent = deadlineClass(cause());
    document.getElementById("review-address").textContent = addressText();
    document.getElementById("review-description").textContent = draft.description;
    document.getElementById("review-photos").textContent = fill(texts.photo_count, { count: draft.photos.length });
    renderSimilar();
  }

  function countLeft() {
    document.getElementById("description-count").textContent =
      fill(texts.characters_left, { count: LIMIT - (draft.description || "").length });
  }

  function mark(field, message) {
    form.querySelectorAll("[aria-invalid=true]").forEach((node) => node.removeAttribute("aria-invalid"));
    showError(alert, message);
    if (!field) return;
    field.setAttribute("aria-invalid", "true");
    const described = (field.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== alert.id);
    field.setAttribute("aria-describedby", [...described, alert.id].join(" "));
  }

  function show(step, focus = true) {
    draft.step = step;
    save();
    const index = STEPS.indexOf(step);
    form.querySelectorAll("fieldset[data-step]").forEach((fieldset) => { fieldset.hidden = fieldset.dataset.step !== step; });
    document.querySelectorAll("#steps li").forEach((item, i) => {
      item.classList.toggle("past", i < index);
      if (i === index) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
    document.getElementById("back").hidden = index === 0;
    document.getElementById("next").hidden = step === "review";
    document.getElementById("send").hidden = step !== "review";
    if (step === "review") renderReview();
    mark(null, "");
    if (focus) {
      const legend = form.querySelector(`fieldset[data-step="${step}"] legend`);
      legend.scrollIntoView({ block: "nearest" });
      const first = form.querySelector(`fieldset[data-step="${step}"] input:not([type=hidden]), fieldset[data-step="${step}"] textarea`);
      if (first && step !== "review") first.focus();
    }
  }

  // The first thing the step misses, as [message, field to mark], or null.
  function missing(step) {
    if (step === "topic" && !topic()) return [texts.choose_topic, form.querySelector("[name=topic]")];
    if (step === "cause" && !cause()) return [texts.choose_cause, form.querySelector("[name=cause]")];
    if (step === "address" && !draft.street) return [texts.choose_street, form.elements.street];
    if (step === "address" && !(draft.house || "").trim()) return [texts.enter_house, form.elements.house];
    if (step === "description" && !(draft.description || "").trim()) {
      return [texts.enter_description, form.elements.description];
    }
    return null;
  }

  const photos = photoPicker(form.querySelector("[data-photos]"), draft.photos, (kept) => {
    draft.photos = kept;
    save();
  });

  function restore() {
    renderTopics();
    renderCauses();
    form.elements.street.value = draft.street ? draft.street.name : "";
    FIELDS.forEach((name) => { form.elements[name].value = draft[name] || ""; });
    countLeft();
    renderLocation();
    sent.hidden = true;
    form.hidden = false;
    steps.hidden = false;
    queued.hidden = !draft.queued;
    // A draft saved under another catalogue may miss what a later step needs.
    const saved = STEPS.includes(draft.step) ? STEPS.indexOf(draft.step) : 0;
    const gap = STEPS.slice(0, saved).find((step) => missing(step));
    show(gap || STEPS[saved], false);
  }

  function done(ticket) {
    localStorage.removeItem(DRAFT);
    draft = { step: "topic", photos: [] };
    photos.clear();
    document.getElementById("sent-number").textContent = ticket.number;
    document.getElementById("sent-due").textContent = when(ticket.due_at);
    form.hidden = true;
    steps.hidden = true;
    queued.hidden = true;
    sent.hidden = false;
    sent.focus();
  }

  async function send() {
    if (sending) return;
    sending = true;
    draft.key = draft.key || newKey();
    save();
    const body = {
      cause: draft.cause,
      address: {
        street: draft.street.code, house: draft.house.trim(), entrance: (draft.entrance || "").trim(),
        flat: (draft.flat || "").trim(), note: (draft.note || "").trim(),
      },
      description: draft.description.trim(),
      photos: draft.photos.map((photo) => photo.key),
    };
    if (draft.lat !== undefined) Object.assign(body, { lat: draft.lat, lon: draft.lon });
    try {
      done(await api("POST", "/api/tickets", { body, headers: { "Idempotency-Key": draft.key } }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 0) {
        // Offline: the same key goes again when the connection returns.
        draft.queued = true;
        save();
        queued.hidden = false;
        return;
      }
      if (error.refused) {
        delete draft.key;
        draft.queued = false;
        save();
      }
      queued.hidden = true;
      mark(null, error.message);
      // The draft waits, here and in localStorage, until the resident signs in again.
      if (error.status === 401) showSignedOut();
    } finally {
      sending = false;
    }
  }

  form.addEventListener("change", (event) => {
    const { name, value } = event.target;
    if (name === "topic" && value !== draft.topic) {
      draft.topic = value;
      delete draft.cause;
      renderCauses();
    } else if (name === "cause") {
      draft.cause = value;
      renderAdvice();
    }
    save();
  });

  form.addEventListener("input", (event) => {
    const { name, value } = event.target;
    if (FIELDS.includes(name)) {
      draft[name] = value;
      if (name === "description") countLeft();
      save();
    }
  });

  streetPicker(form.elements.street, document.getElementById("street-options"), (street) => {
    draft.street = street;
    save();
  });

  const locate = document.getElementById("locate");
  locate.hidden = !navigator.geolocation;
  locate.addEventListener("click", () => {
    document.getElementById("located").textContent = texts.locating;
    navigator.geolocation.getCurrentPosition((position) => {
      draft.lat = position.coords.latitude;
      draft.lon = position.coords.longitude;
      save();
      renderLocation();
    }, () => {
      document.getElementById("located").textContent = texts.no_location;
    }, { enableHighAccuracy: true, timeout: 20000 });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (draft.step === "review") {
      const buttons = form.querySelectorAll("button");
      buttons.forEach((button) => { button.disabled = true; });
      try {
        await send();
      } finally {
        buttons.forEach((button) => { button.disabled = false; });
      }
      return;
    }
    const gap = missing(draft.step);
    if (gap) {
      mark(gap[1], gap[0]);
      gap[1].focus();
      return;
    }
    show(STEPS[STEPS.indexOf(draft.step) + 1]);
  });

  document.getElementById("similar-list").addEventListener("click", (event) => {
    if (event.target.closest("[data-follow]")) localStorage.removeItem(DRAFT);
  });
  document.getElementById("back").addEventListener("click", () => show(STEPS[STEPS.indexOf(draft.step) - 1]));
  document.getElementById("another").addEventListener("click", () => {
    restore();
    form.querySelector("[name=topic]").focus();
  });
  window.addEventListener("online", () => { if (draft.queued) send(); });

  restore();
  document.getElementById("report").hidden = false;
  if (draft.queued && navigator.onLine) send();
}

signedInPage(startReport);
