// Northwind Capital's page: gets a session token from its own backend, mounts Codat Connect,
// and listens to what it reports.
"use strict";

const mountPoint = document.getElementById("codat-connect");
const form = document.getElementById("start-form");
const status = document.getElementById("start-status");
const eventLog = document.getElementById("event-log");
let connect = null;

for (const name of CodatConnect.events) {
  mountPoint.addEventListener("codat-connect:" + name, (event) => {
    const item = document.createElement("li");
    item.dataset.event = name;
    item.textContent = name + " " + JSON.stringify(event.detail);
    eventLog.append(item);
    if (name === "closed" || name === "finished") {
      connect?.destroy();
      connect = null;
      form.hidden = false;
      status.textContent = name === "finished" ? "Thanks! Your data is on its way to us." : "";
    }
  });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("start-connect");
  button.disabled = true;
  status.textContent = "Starting…";
  const mode = document.getElementById("mode").value;
  try {
    // The lender's backend holds the admin token and asks Codat Connect for a session.
    const response = await fetch("/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        businessName: document.getElementById("business").value,
        mode,
        platform: document.getElementById("platform").value || undefined,
      }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.message || "the session could not be created");
    if (mode === "redirect") {
      // The whole tab goes to the flow; it comes back here with the outcome (below).
      CodatConnect.mount(mountPoint, { mode: "redirect", startUrl: answer.url });
      return;
    }
    const theme = document.getElementById("theme").value;
    // Northwind's navy suits the light theme; the dark theme keeps Codat Connect's colours.
    const brand = { "--cc-color-primary": "#14213d", "--cc-color-primary-hover": "#0b1529", "--cc-color-focus": "#14213d" };
    connect = CodatConnect.mount(mountPoint, {
      sessionToken: answer.sessionToken,
      locale: document.getElementById("locale").value,
      theme,
      themeTokens: theme === "light" ? brand : {},
      title: "Connect your accounts with Northwind Capital",
    });
    form.hidden = true;
    status.textContent = "";
  } catch (error) {
    status.textContent = "We could not start: " + error.message;
  } finally {
    button.disabled = false;
  }
});

// Back from the flow in the whole tab: its outcome arrives as the same events.
CodatConnect.deliverReturn(mountPoint);
