// The frame of a page for a signed-in resident: who is signed in, signing out, and
// what the page shows when nobody is.

import { api, ApiError } from "./api.js";
import { showError } from "./dom.js";

const lang = document.documentElement.lang;
export const DRAFT = "citydesk.draft";

export function pageError(error) {
  if (!(error instanceof ApiError)) throw error;
  showError(document.getElementById("page-error"), error.message);
}

export function showSignedOut() {
  document.querySelectorAll("main > section, #account").forEach((part) => { part.hidden = true; });
  document.getElementById("signed-out").hidden = false;
}

// Runs `start(me)` once the resident is known; on 401 the page asks them to sign in.
// The account keeps the language the resident reads: the SMS and the API's answers
// follow the language of the pages they last chose.
export async function signedInPage(start) {
  const loading = document.getElementById("loading");
  document.getElementById("logout").addEventListener("click", async () => {
    try {
      await api("POST", "/api/auth/logout");
    } catch (error) {
      pageError(error);
      return;
    }
    // Nothing of a draft (an address, a flat) stays behind on a shared device.
    localStorage.removeItem(DRAFT);
    window.location.assign(`/${lang}/`);
  });
  try {
    let me = await api("GET", "/api/me");
    if (me.language !== lang) me = await api("PATCH", "/api/me", { body: { language: lang } });
    document.getElementById("account-name").textContent = me.name || me.phone || me.email || "";
    document.getElementById("account").hidden = false;
    await start(me);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignedOut();
    else pageError(error);
  } finally {
    loading.hidden = true;
  }
}
