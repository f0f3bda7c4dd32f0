// The home page: sign in, file a ticket, see my tickets.

import { api, ApiError } from "./api.js";
import { showError } from "./dom.js";
import { forgetDraft, startReport } from "./report.js";
import { startSignIn } from "./signin.js";
import { showTickets } from "./tickets.js";

const parts = ["signin", "account", "report", "mine"].map((id) => document.getElementById(id));
const [signin, account, report, mine] = parts;
const pageError = document.getElementById("page-error");
const lang = document.documentElement.lang;
let reportStarted = false;

function signedOut() {
  parts.forEach((part) => { part.hidden = part !== signin; });
}

// The account keeps the language the resident reads: the SMS and the API's answers
// follow the language of the pages they last chose.
async function signedIn(me) {
  if (me.language !== lang) await api("PATCH", "/api/me", { body: { language: lang } });
  document.getElementById("account-phone").textContent = me.phone;
  signin.hidden = true;
  account.hidden = false;
  report.hidden = false;
  mine.hidden = false;
  if (!reportStarted) {
    reportStarted = true;
    await startReport({ onFiled: () => guard(showTickets), onSignedOut: signedOut });
  }
  await showTickets();
}

async function guard(action) {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) signedOut();
    else showError(pageError, error.message);
  }
}

startSignIn((me) => guard(() => signedIn(me)));

document.getElementById("logout").addEventListener("click", () => guard(async () => {
  await api("POST", "/api/auth/logout");
  forgetDraft();
  // A fresh page: no form or list of the account that just left stays behind.
  window.location.assign(window.location.pathname);
}));

guard(async () => {
  try {
    await signedIn(await api("GET", "/api/me"));
  } finally {
    document.getElementById("loading").hidden = true;
  }
});
