// Northwind Capital's back office: applicants' readiness from its backend (which asks Codat
// Connect's status API), refreshed whenever a verified webhook arrives.
"use strict";

const cell = (row, text, className) => {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
  return td;
};

async function json(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(path + " answered " + response.status);
  return response.json();
}

async function showApplicants() {
  const applicants = await json("/back-office/applicants");
  const body = document.getElementById("applicants");
  body.replaceChildren();
  for (const applicant of applicants) {
    const row = document.createElement("tr");
    row.dataset.merchant = applicant.merchantId;
    cell(row, applicant.businessName);
    const status = applicant.ready ? "Ready" : applicant.attentionNeeded ? "Needs attention" : "Waiting";
    cell(row, status, "status status-" + status.toLowerCase().replace(" ", "-"));
    cell(row, applicant.progress.complete.join(", ") || "—");
    cell(row, applicant.progress.missing.join(", ") || "—");
    const read = applicant.dataTypes.filter((t) => t.state === "Complete" || t.state === "NotSupported").length;
    cell(row, read + " of " + applicant.dataTypes.length);
    body.append(row);
  }
  document.getElementById("applicants-empty").hidden = applicants.length > 0;
}

async function showDeliveries() {
  const log = await json("/back-office/deliveries");
  const body = document.getElementById("deliveries");
  body.replaceChildren();
  for (const delivery of log.results.slice(0, 20)) {
    const row = document.createElement("tr");
    cell(row, delivery.eventType);
    cell(row, delivery.merchantId);
    cell(row, delivery.status, "status status-" + delivery.status);
    cell(row, String(delivery.attempts));
    cell(row, delivery.lastStatus ? String(delivery.lastStatus) : delivery.lastError || "—");
    body.append(row);
  }
}

const STEP_NAMES = {
  grid_shown: "Saw the platforms",
  tab_chosen: "Changed the kind of platform",
  search_made: "Searched",
  platform_chosen: "Chose a platform",
  consent_declined: "Declined the terms",
  consent_given: "Agreed to the terms",
  popup_blocked: "Sign-in window blocked",
  link_returned: "Came back from the platform",
  first_read_finished: "First read finished",
};

async function showFunnel() {
  const funnel = await json("/back-office/funnel");
  const body = document.getElementById("funnel");
  body.replaceChildren();
  const first = Math.max(1, funnel.steps[0].count);
  for (const step of funnel.steps) {
    const row = document.createElement("tr");
    row.dataset.step = step.step;
    cell(row, STEP_NAMES[step.step] || step.step);
    cell(row, String(step.count), "count");
    const bar = document.createElement("span");
    bar.className = "bar";
    // Set through the CSSOM, which the page's strict style-src allows.
    bar.style.width = Math.min(100, (100 * step.count) / first) + "%";
    cell(row, "").append(bar);
    body.append(row);
  }
  const searches = document.getElementById("zero-searches");
  searches.replaceChildren();
  for (const search of funnel.zeroResultSearches) {
    const row = document.createElement("tr");
    cell(row, search.text);
    cell(row, String(search.count));
    searches.append(row);
  }
  document.getElementById("zero-searches-empty").hidden = funnel.zeroResultSearches.length > 0;
}

function showWebhook(event) {
  const item = document.createElement("li");
  item.dataset.type = event.type;
  const about = event.data.dataType || (event.data.connection && event.data.connection.platformName) || "";
  item.textContent = [event.timestamp, event.type, event.data.merchantId, about].filter(Boolean).join(" · ");
  document.getElementById("webhooks").prepend(item);
}

async function refresh() {
  try {
    await Promise.all([showApplicants(), showDeliveries(), showFunnel()]);
  } catch (error) {
    document.getElementById("live-status").textContent = "Could not refresh: " + error.message;
  }
}

async function start() {
  const received = await json("/back-office/webhooks");
  received.reverse().forEach(showWebhook);
  await refresh();
  const live = new EventSource("/back-office/events");
  const status = document.getElementById("live-status");
  live.addEventListener("open", () => { status.textContent = "Live"; });
  live.addEventListener("error", () => { status.textContent = "Reconnecting…"; });
  live.addEventListener("webhook", (message) => {
    showWebhook(JSON.parse(message.data));
    refresh();
  });
}

start();
