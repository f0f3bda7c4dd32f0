// Sign-in: by phone (a 6-digit code by SMS), by an e-mail link, or with a provider
// the city configured. Afterwards the resident goes back to the page that sent them.

import { api, ApiError } from "./api.js";
import { element, showError, submitting } from "./dom.js";
import { fill, texts } from "./text.js";

const lang = document.documentElement.lang;
// Only our own pages, by name (and a ticket number, for an SMS's short link):
// `next` never sends anyone to another site.
const next = new URLSearchParams(window.location.search).get("next") || "";
const target = /^[a-z-]+\.html(\?\d{1,20})?$/.test(next) ? `/${lang}/${next}` : `/${lang}/cabinet.html`;
const phoneForm = document.getElementById("phone-form");
const codeForm = document.getElementById("code-form");
const emailForm = document.getElementById("email-form");
let phone = "";

function invalid(form, failed) {
  form.querySelectorAll("input").forEach((input) => input.setAttribute("aria-invalid", String(failed)));
}

phoneForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const typed = phoneForm.elements.phone.value.trim();
  const sent = await submitting(phoneForm, () => api("POST", "/api/auth/phone", { body: { phone: typed } }));
  invalid(phoneForm, sent === undefined);
  if (sent === undefined) return;
  phone = sent.phone;
  document.getElementById("code-sent").textContent = fill(texts.code_sent, { phone });
  phoneForm.hidden = true;
  codeForm.hidden = false;
  codeForm.elements.code.value = "";
  codeForm.elements.code.focus();
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = codeForm.elements.code.value.trim();
  const verified = await submitting(codeForm, () => api("POST", "/api/auth/phone/verify", { body: { phone, code } }));
  invalid(codeForm, verified === undefined);
  if (verified !== undefined) window.location.assign(target);
});

document.getElementById("change-phone").addEventListener("click", () => {
  codeForm.hidden = true;
  phoneForm.hidden = false;
  phoneForm.elements.phone.focus();
});

emailForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = emailForm.elements.email.value.trim();
  const sent = await submitting(emailForm, () => api("POST", "/api/auth/email", { body: { email } }));
  invalid(emailForm, sent === undefined);
  if (sent === undefined) return;
  const done = document.getElementById("email-sent");
  done.textContent = fill(texts.link_sent, { email });
  emailForm.hidden = true;
  done.hidden = false;
  done.focus();
});

// E-mail and providers come with the same part of the API; without it, phone only.
async function otherWays() {
  let providers;
  try {
    providers = await api("GET", "/api/auth/providers");
  } catch (error) {
    if (error instanceof ApiError) return;
    throw error;
  }
  document.getElementById("by-email").hidden = false;
  const list = Array.isArray(providers) ? providers : providers.providers || [];
  document.getElementById("providers").replaceChildren(...list.map((provider) => element("a", {
    class: "button secondary", href: `/api/auth/oidc/${encodeURIComponent(provider.name)}/start?lang=${lang}`,
  }, fill(texts.sign_in_with, { provider: provider.label }))));
  document.getElementById("by-provider").hidden = !list.length;
}

// A provider's sign-in that failed comes back here with #error=<reason>.
function providerError() {
  const reason = new URLSearchParams(window.location.hash.slice(1)).get("error");
  if (!reason) return;
  showError(document.getElementById("page-error"), texts.sign_in_errors[reason] || texts.unexpected_error);
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}

async function start() {
  providerError();
  try {
    await api("GET", "/api/me");
    // Signed in already: straight on to the page that asked, if one did.
    if (next) window.location.replace(target);
    else document.getElementById("signed-in").hidden = false;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    document.getElementById("by-phone").hidden = false;
    await otherWays();
  } finally {
    document.getElementById("loading").hidden = true;
  }
}

start();
