// The cabinet: the resident's current and completed tickets.

import { api, withLang } from "./api.js";
import { signedInPage } from "./session.js";
import { fillList } from "./tickets.js";

signedInPage(async () => {
  const mine = await api("GET", withLang("/api/tickets"));
  fillList(document.getElementById("current"), mine.current);
  fillList(document.getElementById("completed"), mine.completed);
  document.getElementById("mine").hidden = false;
});
