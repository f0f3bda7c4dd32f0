// The short link an SMS carries, t.html?<number>: it finds the signed-in resident's
// ticket of that number and opens its page, where they confirm, refute or rate.
// Opening it changes nothing. Whoever is not signed in signs in first and comes
// back; another account's ticket is only offered to look up by number.

import { api, ApiError } from "./api.js";
import { showError } from "./dom.js";

const lang = document.documentElement.lang;
const number = window.location.search.slice(1).replace(/\D/g, "").slice(0, 20);

function notYours() {
  if (number) document.getElementById("track").href = `/${lang}/track.html?number=${number}`;
  document.getElementById("not-yours").hidden = false;
}

async function open() {
  if (!number) {
    notYours();
    return;
  }
  let mine;
  try {
    // Who is signed in first: the one refusal a page expects when nobody is.
    await api("GET", "/api/me");
    mine = await api("GET", "/api/tickets");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) {
      window.location.replace(`/${lang}/signin.html?next=${encodeURIComponent(`t.html?${number}`)}`);
    } else {
      showError(document.getElementById("page-error"), error.message);
    }
    return;
  }
  const found = [...mine.current, ...mine.completed].find((ticket) => ticket.number === number);
  if (found) window.location.replace(`/${lang}/ticket.html?id=${encodeURIComponent(found.id)}`);
  else notYours();
}

open().finally(() => { document.getElementById("loading").hidden = true; });
