// The cabinet: the resident's current and completed tickets, and whether SMS tell
// them how their tickets go.

import { api, withLang } from "./api.js";
import { pageError, signedInPage } from "./session.js";
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

signedInPage(async (me) => {
  const mine = await api("GET", withLang("/api/tickets"));
  fillList(document.getElementById("current"), mine.current);
  fillList(document.getElementById("completed"), mine.completed);
  document.getElementById("mine").hidden = false;
  statusSms(me);
});
