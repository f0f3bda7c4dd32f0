// The page an e-mail sign-in link opens. The token travels in the fragment (never
// sent to a server, never in a log) and is spent only by the button's POST.

import { api } from "./api.js";
import { submitting } from "./dom.js";

const lang = document.documentElement.lang;
const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
const form = document.getElementById("email-link");

document.getElementById("loading").hidden = true;
if (token) {
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const signedIn = await submitting(form, () => api("POST", "/api/auth/email/verify", { body: { token } }));
    if (signedIn === undefined) return;
    // The spent token leaves the address bar and the history.
    window.history.replaceState(null, "", window.location.pathname);
    window.location.assign(`/${lang}/cabinet.html`);
  });
} else {
  document.getElementById("no-token").hidden = false;
}
