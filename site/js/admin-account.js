// The signed-in member's own account: a new password (the other sessions end),
// and two-step sign-in with an authenticator app, turned on by proving the app
// shows the right code.

import { showError, submitting } from "./dom.js";
import { fields, filledIn, say, staffApi, unexpected } from "./staff.js";

export function accountView(me) {
  const passwordForm = document.getElementById("password-form");
  const start = document.getElementById("totp-start");
  const confirmForm = document.getElementById("totp-confirm-form");
  const offForm = document.getElementById("totp-off-form");
  let secret = "";

  function renderTotp(on) {
    document.getElementById("totp-state").textContent = on ? say.totp_is_on : say.totp_is_off;
    start.hidden = on;
    confirmForm.hidden = true;
    offForm.hidden = !on;
    confirmForm.reset();
    offForm.reset();
  }

  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    document.getElementById("password-done").hidden = true;
    if (!filledIn(passwordForm)) return;
    const changed = await submitting(passwordForm, () => staffApi("POST", "/me/password", { body: fields(passwordForm) }));
    if (changed === undefined) return;
    passwordForm.reset();
    document.getElementById("password-done").hidden = false;
  });

  start.addEventListener("click", async () => {
    const alert = document.getElementById("totp-start-error");
    showError(alert, "");
    let begun;
    try {
      begun = await staffApi("POST", "/me/totp", { body: {} });
    } catch (error) {
      unexpected(alert, error);
      return;
    }
    secret = begun.secret;
    // Four-character groups are easier to copy by hand.
    document.getElementById("totp-secret").textContent = secret.match(/.{1,4}/g).join(" ");
    document.getElementById("totp-uri").href = begun.uri;
    start.hidden = true;
    confirmForm.hidden = false;
    confirmForm.elements.code.focus();
  });

  confirmForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(confirmForm)) return;
    const member = await submitting(confirmForm, () => staffApi("POST", "/me/totp/confirm",
      { body: { secret, code: confirmForm.elements.code.value.trim() } }));
    if (member !== undefined) renderTotp(member.totp);
  });

  offForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!filledIn(offForm)) return;
    const member = await submitting(offForm, () => staffApi("POST", "/me/totp/off", { body: fields(offForm) }));
    if (member !== undefined) renderTotp(member.totp);
  });

  return {
    async show() {
      renderTotp((await staffApi("GET", "/me")).totp);
    },
  };
}
