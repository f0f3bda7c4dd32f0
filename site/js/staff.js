// What the staff page's parts share: their texts, the staff API (a lost session
// brings the sign-in form back), the lists the forms choose from, and the city's
// wall-clock time that date-time fields are typed in.

import { api, ApiError } from "./api.js";
import { element, formAlert, showError } from "./dom.js";
import { texts } from "./text.js";

const timeZone = document.body.dataset.timezone;

export const say = JSON.parse(document.getElementById("staff-texts").textContent);

let onSignedOut = () => {};

export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export async function staffApi(method, path, options) {
  try {
    return await api(method, `/api/admin${path}`, options);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) onSignedOut();
    throw error;
  }
}

function once(load) {
  let promise;
  return () => {
    promise = promise || load().catch((error) => {
      promise = undefined;
      throw error;
    });
    return promise;
  };
}

// Topics with their causes, in the page's language (the residents' list).
export const topics = once(() => api("GET", "/api/categories"));
export const organisations = once(async () => (await staffApi("GET", "/organisations")).organisations);

export function option(value, label, selected = false) {
  return element("option", { value, selected }, label);
}

// A select's options after its first ("any" or "choose…") one.
export function fillSelect(select, options) {
  select.replaceChildren(...[...select.options].slice(0, 1), ...options);
}

export async function fillExecutors(select, chosen) {
  const executors = (await organisations()).filter((org) => org.kind === "executor");
  select.replaceChildren(...executors.map((org) => option(org.code, org.label, org.code === chosen)));
}

export function topicAndCause(topicSelect, causeSelect, onCause = () => {}) {
  let list = [];
  const causes = () => (list.find((topic) => topic.code === topicSelect.value) || { causes: [] }).causes;
  topicSelect.addEventListener("change", () => {
    fillSelect(causeSelect, causes().map((cause) => option(cause.code, cause.name)));
    onCause(null);
  });
  causeSelect.addEventListener("change", () => onCause(causes().find((cause) => cause.code === causeSelect.value)));
  return topics().then((loaded) => {
    list = loaded;
    fillSelect(topicSelect, list.map((topic) => option(topic.code, topic.name)));
  });
}

// The named fields of a form as the API takes them: trimmed text, empty left out.
export function fields(form) {
  const data = {};
  for (const field of form.elements) {
    if (!field.name || (field.type === "radio" && !field.checked)) continue;
    if (field.type === "checkbox") data[field.name] = field.checked;
    else if (field.value.trim()) data[field.name] = field.value.trim();
  }
  return data;
}

// False, with the first empty required field marked and focused, until all are filled.
export function filledIn(form) {
  form.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
  const empty = [...form.elements].filter((field) => field.required && !field.value.trim());
  showError(formAlert(form), empty.length ? say.required : "");
  empty.forEach((field) => field.setAttribute("aria-invalid", "true"));
  if (empty.length) empty[0].focus();
  return !empty.length;
}

// Milliseconds the city's clock is ahead of UTC at the instant `utc`.
function offset(utc) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(new Date(utc)).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - utc;
}

// "2026-11-24T09:30" read on the city's clock, as ISO 8601 UTC; whatever the device's zone.
export function cityTimeToIso(value) {
  const [date, time] = value.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Twice: the offset at the guess is the right one except next to a clock change.
  const utc = wall - offset(wall - offset(wall));
  return new Date(utc).toISOString().replace(/\.\d+Z$/, "Z");
}

export function unexpected(node, error) {
  showError(node, error instanceof ApiError ? error.message : texts.unexpected_error);
  if (!(error instanceof ApiError)) throw error;
}
