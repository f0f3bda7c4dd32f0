// Sign-in by phone: the number, then the 6-digit code from the SMS.

import { api } from "./api.js";
import { submitting } from "./dom.js";
import { fill, texts } from "./text.js";

export function startSignIn(onSignedIn) {
  const phoneForm = document.getElementById("phone-form");
  const codeForm = document.getElementById("code-form");
  let phone = "";

  phoneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = phoneForm.elements.phone.value.trim();
    const sent = await submitting(phoneForm, () => api("POST", "/api/auth/phone", { body: { phone: typed } }));
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
    if (verified === undefined) return;
    codeForm.hidden = true;
    phoneForm.hidden = false;
    onSignedIn(verified.resident);
  });

  document.getElementById("change-phone").addEventListener("click", () => {
    codeForm.hidden = true;
    phoneForm.hidden = false;
    phoneForm.elements.phone.focus();
  });
}
