// The staff page: sign-in (with a TOTP code when the account has it on), then the
// member's sections, one shown at a time by the address's #/section/argument.

import { api, ApiError } from "./api.js";
import { showError, submitting } from "./dom.js";
import { accountView } from "./admin-account.js";
import { adminView } from "./admin-manage.js";
import { fileView } from "./admin-file.js";
import { outagesView } from "./admin-outages.js";
import { outboxView } from "./admin-outbox.js";
import { queueView } from "./admin-queue.js";
import { ticketView } from "./admin-ticket.js";
import { organisations, say, staffApi, whenSignedOut } from "./staff.js";
import { fill } from "./text.js";

const VIEWS = {
  queue: queueView, ticket: ticketView, file: fileView, outages: outagesView, outbox: outboxView, admin: adminView,
  account: accountView,
};
// The sections a role opens, by the action the API lists in the member's "may".
const NEEDS = { file: "file", outages: "publish_outage", outbox: "see_outbox", admin: "manage_staff" };
const signin = document.getElementById("signin");
const signinForm = document.getElementById("signin-form");
const menu = document.getElementById("staff-menu");
const started = {};
let me = null;
// The member the sections were built for: another one signing in gets a fresh page.
let builtFor = null;

function showSignIn() {
  me = null;
  document.querySelectorAll("section[data-view], #staff-bar").forEach((part) => { part.hidden = true; });
  menu.hidden = true;
  signin.hidden = false;
  signinForm.elements.username.focus();
}

async function route() {
  if (!me) return;
  const [name, argument] = window.location.hash.replace(/^#\/?/, "").split("/");
  const view = VIEWS[name] && (!NEEDS[name] || me.may.includes(NEEDS[name])) ? name : "queue";
  document.querySelectorAll("section[data-view]").forEach((section) => { section.hidden = section.id !== view; });
  menu.querySelectorAll("a").forEach((link) => {
    if (link.dataset.view === view || (view === "ticket" && link.dataset.view === "queue")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  started[view] = started[view] || VIEWS[view](me);
  showError(document.getElementById("page-error"), "");
  try {
    await started[view].show(decodeURIComponent(argument || ""));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Nothing half-shown: a ticket that is not there (or not theirs) leaves no other ticket on screen.
    document.getElementById(view).hidden = true;
    if (error.status !== 401) showError(document.getElementById("page-error"), error.message);
  }
}

// The section's heading takes the focus once it is drawn, unless the member is
// already working in it (a slow answer must not pull them out of a field).
function focusSection() {
  const shown = document.querySelector("section[data-view]:not([hidden])");
  if (shown && !shown.contains(document.activeElement)) shown.querySelector("h2").focus();
}

async function start(member) {
  if (builtFor && builtFor !== member.id) {
    window.location.reload();
    return;
  }
  builtFor = member.id;
  me = member;
  signin.hidden = true;
  document.getElementById("staff-name").textContent = me.name;
  document.getElementById("staff-role").textContent = say.roles[me.role] || me.role;
  const own = me.organisation ? (await organisations()).find((org) => org.code === me.organisation) : null;
  document.getElementById("staff-organisation").textContent = own ? fill(say.role_in, { organisation: own.label }) : "";
  document.getElementById("staff-bar").hidden = false;
  menu.querySelectorAll("a[data-may]").forEach((link) => { link.hidden = !me.may.includes(link.dataset.may); });
  menu.hidden = false;
  await route();
}

signinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { username, password, totp } = signinForm.elements;
  const body = { username: username.value.trim(), password: password.value };
  if (!document.getElementById("totp-field").hidden) body.totp = totp.value.trim();
  const answer = await submitting(signinForm, async () => {
    try {
      return await api("POST", "/api/admin/login", { body });
    } catch (error) {
      // The password was right; the account also wants the authenticator's code.
      if (error instanceof ApiError && error.code === "totp_required") {
        document.getElementById("totp-field").hidden = false;
        totp.focus();
      }
      throw error;
    }
  });
  [username, password, totp].forEach((field) => field.setAttribute("aria-invalid", String(answer === undefined)));
  if (answer === undefined) return;
  password.value = "";
  totp.value = "";
  document.getElementById("totp-field").hidden = true;
  await start(answer.staff);
  focusSection();
});

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await api("POST", "/api/admin/logout", { body: {} });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    showError(document.getElementById("page-error"), error.message);
    return;
  }
  // A fresh page: nothing of the last member's tickets stays in it.
  window.location.replace(window.location.pathname);
});

window.addEventListener("hashchange", async () => {
  await route();
  if (me) focusSection();
});

whenSignedOut(showSignIn);

async function boot() {
  try {
    await start(await staffApi("GET", "/me"));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 401) showError(document.getElementById("page-error"), error.message);
  } finally {
    document.getElementById("loading").hidden = true;
  }
}

boot();
