// The console's live parts. Everything a person wrote is set with textContent: never as HTML.
"use strict";

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function hotlineQueue(dataUrl, openUrl, claimUrl) {
  const labels = document.getElementById("labels").dataset;
  const reason = (r) => labels[(r || "").split(":")[0]] || r;
  async function refresh() {
    const response = await fetch(dataUrl, {headers: {"Accept": "application/json"}});
    if (!response.ok) return;
    const data = await response.json();
    const waiting = document.getElementById("waiting");
    waiting.replaceChildren();
    for (const e of data.waiting) {
      const row = document.createElement("tr");
      row.dataset.contact = e.contact_id;
      if (e.urgent) row.className = "urgent";
      cell(row, "…" + e.contact_id.slice(-4));
      cell(row, (e.urgent ? labels.urgent + " · " : "") + reason(e.reason));
      cell(row, e.language);
      cell(row, e.channel);
      cell(row, String(e.waiting_minutes));
      const form = document.createElement("form");
      form.method = "post";
      form.action = claimUrl.replace("CID", encodeURIComponent(e.contact_id));
      const token = document.createElement("input");
      token.type = "hidden"; token.name = "csrf_token"; token.value = csrfToken();
      const button = document.createElement("button");
      button.type = "submit"; button.className = "claim"; button.textContent = labels.claim;
      form.append(token, button);
      const td = document.createElement("td"); td.appendChild(form); row.appendChild(td);
      waiting.appendChild(row);
    }
    const mine = document.getElementById("mine");
    mine.replaceChildren();
    for (const e of data.mine) {
      const row = document.createElement("tr");
      row.dataset.contact = e.contact_id;
      cell(row, "…" + e.contact_id.slice(-4));
      cell(row, reason(e.reason));
      cell(row, e.claimed_by || "");
      const link = document.createElement("a");
      link.href = openUrl.replace("CID", encodeURIComponent(e.contact_id));
      link.textContent = labels.open;
      const td = document.createElement("td"); td.appendChild(link); row.appendChild(td);
      mine.appendChild(row);
    }
  }
  refresh();
  setInterval(refresh, 2000);
}

// A picture the person sent, fetched through the console (never from Twilio's URL); other
// files as a link named by their type.
function mediaItem(item) {
  const link = document.createElement("a");
  link.className = "media";
  link.href = item.url;
  link.target = "_blank";
  link.rel = "noopener";
  if (item.type.startsWith("image/")) {
    const img = document.createElement("img");
    img.src = item.url;
    img.alt = item.type;
    img.loading = "lazy";
    link.appendChild(img);
  } else {
    link.textContent = item.type;
  }
  return link;
}

// A shared pin: a marker, with where it is only when the server sent it (the operator holding
// the conversation).
function locationMark(pin, label) {
  const mark = document.createElement("div");
  mark.className = "location";
  let text = label;
  if (pin.latitude !== undefined && pin.latitude !== null) {
    text += ": " + pin.latitude + ", " + pin.longitude + (pin.place ? " (" + pin.place + ")" : "");
  }
  mark.textContent = text;
  return mark;
}

function hotlineConversation(dataUrl) {
  const saved = document.getElementById("saved");
  saved.addEventListener("change", () => {
    if (saved.value) document.getElementById("reply-body").value = saved.value;
  });
  const statusLabels = document.getElementById("status-labels").dataset;
  async function refresh() {
    const response = await fetch(dataUrl, {headers: {"Accept": "application/json"}});
    if (!response.ok) return;
    const data = await response.json();
    const box = document.getElementById("transcript");
    box.replaceChildren();
    for (const m of data.transcript) {
      const div = document.createElement("div");
      div.className = "msg " + m.dir + " " + (m.kind || "");
      div.textContent = m.text;
      if (m.status) {
        const s = document.createElement("div");
        s.className = "status";
        s.textContent = statusLabels[m.status] || m.status;
        div.appendChild(s);
      }
      for (const item of m.media || []) div.appendChild(mediaItem(item));
      if (m.location) div.appendChild(locationMark(m.location, statusLabels.location));
      box.appendChild(div);
    }
    document.getElementById("holder").textContent = data.claimed_by || "";
  }
  setInterval(refresh, 2000);
}

// Started from the script tag's data attributes: the Content-Security-Policy allows no inline
// script, so the pages name their view and URLs there.
(function start() {
  const script = document.getElementById("console-script");
  if (!script) return;
  const d = script.dataset;
  if (d.view === "queue") hotlineQueue(d.dataUrl, d.openUrl, d.claimUrl);
  if (d.view === "conversation") hotlineConversation(d.dataUrl);
})();
