// The home page's line on emergency works now, from the summary the system
// regenerates with the outage page. Without it (no script, or no summary yet) the
// line stays hidden and the page's own link to the outage page is all there is.

const line = document.getElementById("works-now");
const lang = document.documentElement.lang;

async function show() {
  const answer = await fetch("/outages-summary.json", { cache: "no-cache" });
  if (!answer.ok) return;
  const summary = await answer.json();
  const { some, none, more } = line.dataset;
  const kinds = summary.kinds.map((kind) => `${kind.name[lang] || kind.code} ${kind.count}`).join(", ");
  const link = document.createElement("a");
  link.href = `/${lang}/outages/`;
  link.textContent = more;
  line.replaceChildren(summary.count ? `${some.replace("{count}", summary.count)} — ${kinds} — ` : `${none} — `, link);
  line.hidden = false;
}

// Offline, the line is simply left out: the link below it still leads to the page.
show().catch(() => {});
