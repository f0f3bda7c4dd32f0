// Filing a ticket: topic → cause → address → description → review → send.
// The draft lives in localStorage, so a reload or a lost connection loses nothing;
// it keeps its Idempotency-Key until the ticket is accepted, so sending again after
// a lost answer cannot file the ticket twice.

import { api, ApiError, withLang } from "./api.js";
import { element, showError } from "./dom.js";
import { streetPicker } from "./street.js";
import { addressLine, deadlineClass, fill, texts, when } from "./text.js";

const STEPS = ["topic", "cause", "address", "description", "review"];
const DRAFT = "citydesk.draft";
const LIMIT = 4000;
const FIELDS = ["house", "entrance", "flat", "note", "description"];

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function loadDraft() {
  try {
    return JSON.parse(localStorage.getItem(DRAFT)) || {};
  } catch {
    return {};
  }
}

// Signing out leaves nothing of the draft (an address, a flat) on a shared device.
export function forgetDraft() {
  localStorage.removeItem(DRAFT);
}

export async function startReport({ onFiled, onSignedOut }) {
  const form = document.getElementById("report-form");
  const alert = document.getElementById("report-error");
  const sent = document.getElementById("sent");
  const steps = document.getElementById("steps");
  const topics = await api("GET", withLang("/api/categories"));
  let draft = { step: "topic", ...loadDraft() };

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

  function renderReview() {
    document.getElementById("review-topic").textContent = topic().name;
    document.getElementById("review-cause").textContent = cause().name;
    document.getElementById("review-deadline").textContent = deadlineClass(cause());
    document.getElementById("review-address").textContent = addressText();
    document.getElementById("review-description").textContent = draft.description;
  }

  function countLeft() {
    document.getElementById("description-count").textContent =
      fill(texts.characters_left, { count: LIMIT - (draft.description || "").length });
  }

  function show(step, focus = true) {
    draft.step = step;
    save();
    const index = STEPS.indexOf(step);
    form.querySelectorAll("fieldset").forEach((fieldset) => { fieldset.hidden = fieldset.dataset.step !== step; });
    document.querySelectorAll("#steps li").forEach((item, i) => {
      item.classList.toggle("past", i < index);
      if (i === index) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
    document.getElementById("back").hidden = index === 0;
    document.getElementById("next").hidden = step === "review";
    document.getElementById("send").hidden = step !== "review";
    if (step === "review") renderReview();
    showError(alert, "");
    if (focus) form.querySelector(`fieldset[data-step="${step}"] legend`).scrollIntoView({ block: "nearest" });
  }

  // The first thing the step misses, as [message, field to focus], or null.
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

  function restore() {
    renderTopics();
    renderCauses();
    form.elements.street.value = draft.street ? draft.street.name : "";
    FIELDS.forEach((name) => { form.elements[name].value = draft[name] || ""; });
    countLeft();
    sent.hidden = true;
    form.hidden = false;
    steps.hidden = false;
    // A draft saved under another catalogue may miss what a later step needs.
    const saved = STEPS.includes(draft.step) ? STEPS.indexOf(draft.step) : 0;
    const gap = STEPS.slice(0, saved).find((step) => missing(step));
    show(gap || STEPS[saved], false);
  }

  async function send() {
    draft.key = draft.key || newKey();
    save();
    const body = {
      cause: draft.cause,
      address: {
        street: draft.street.code, house: draft.house.trim(), entrance: (draft.entrance || "").trim(),
        flat: (draft.flat || "").trim(), note: (draft.note || "").trim(),
      },
      description: draft.description.trim(),
      photos: [],
    };
    let ticket;
    try {
      ticket = await api("POST", "/api/tickets", { body, headers: { "Idempotency-Key": draft.key } });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.refused) {
        delete draft.key;
        save();
      }
      showError(alert, error.message);
      // The draft waits, here and in localStorage, until the resident signs in again.
      if (error.status === 401) onSignedOut();
      return;
    }
    forgetDraft();
    draft = { step: "topic" };
    document.getElementById("sent-number").textContent = ticket.number;
    document.getElementById("sent-due").textContent = when(ticket.due_at);
    form.hidden = true;
    steps.hidden = true;
    sent.hidden = false;
    sent.focus();
    onFiled(ticket);
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
      showError(alert, gap[0]);
      gap[1].focus();
      return;
    }
    show(STEPS[STEPS.indexOf(draft.step) + 1]);
  });

  document.getElementById("back").addEventListener("click", () => show(STEPS[STEPS.indexOf(draft.step) - 1]));
  document.getElementById("another").addEventListener("click", () => {
    restore();
    form.querySelector("[name=topic]").focus();
  });

  restore();
}
