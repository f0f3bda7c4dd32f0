// The cabinet: the resident's current and completed tickets, whether SMS tell them
// how their tickets go, and their data: a copy to download, and deleting the account.

import { api, withLang } from "./api.js";
import { formAlert, showError, submitting } from "./dom.js";
import { DRAFT, pageError, signedInPage } from "./session.js";
import { texts } from "./text.js";
import { fillList } from "./tickets.js";

// The choice is saved as soon as the box changes; a refusal puts the box back.
function statusSms(me) {
  // An account without a phone gets no SMS to turn off.
  if (!me.phone) return;
  const box = document.getElementById("status-sms");
  const saved = document.getElementById("status-sms-saved");
  box.checked = me.status_sms;
  box.addEventListener("change", async () => {
    const wanted = box.checked;
    saved.textContent = "";
    try {
      const updated = await api("PATCH", "/api/me", { body: { status_sms: wanted } });
      saved.textContent = updated.status_sms ? texts.status_sms_on : texts.status_sms_off;
    } catch (error) {
      box.checked = !wanted;
      pageError(error);
    }
  });
  document.getElementById("notifications").hidden = false;
}

// The copy is a plain link: the API answers it as a file to save. Deleting asks for a
// ticked box first; a repeat after a lost answer is answered the same by the API.
function myData() {
  const start = document.getElementById("delete-start");
  const form = document.getElementById("delete-form");
  const box = document.getElementById("delete-confirm");
  start.addEventListener("click", () => {
    form.hidden = false;
    start.setAttribute("aria-expanded", "true");
    box.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.setAttribute("aria-invalid", String(!box.checked));
    if (!box.checked) {
      showError(formAlert(form), texts.confirm_deletion);
      box.focus();
      return;
    }
    const deleted = await submitting(form, async () => {
      await api("DELETE", "/api/me", { body: { confirm: true } });
      return true;
    });
    if (!deleted) return;
    // Nothing of a draft (an address, a flat) stays behind either.
    localStorage.removeItem(DRAFT);
    document.querySelectorAll("main > section, #account").forEach((part) => { part.hidden = true; });
    const done = document.getElementById("deleted");
    done.hidden = false;
    done.focus();
  });
  document.getElementById("my-data").hidden = false;
}

signedInPage(async (me) => {
  const mine = await api("GET", withLang("/api/tickets"));
  fillList(document.getElementById("current"), mine.current);
  fillList(document.getElementById("completed"), mine.completed);
  document.getElementById("mine").hidden = false;
  statusSms(me);
  myData();
});
