/*
 * Codat Connect for a lender's page.
 *
 *   <script src="https://connect.lender.example/assets/embed.js"></script>
 *   const connect = CodatConnect.mount(document.getElementById("connect"), {
 *     sessionToken,                      // from your backend's POST /v1/sessions
 *     sourceTypes: ["Accounting", "Banking"],   // optional: tabs, in order
 *     platforms: ["gbol", "qhyg"],       // optional: platform keys offered
 *     platform: "gbol",                  // optional: open at this platform's consent step
 *     locale: "fr-CA",                   // optional: "en" or "fr-CA"
 *     theme: "dark",                     // optional: "light" or "dark"
 *     themeTokens: { "--cc-color-primary": "#0b5fff" },  // optional: --cc-* overrides
 *     title: "Connect your accounts",    // optional: the frame's accessible name
 *     serverUrl: "https://connect.lender.example",  // optional: default, where this script came from
 *   });
 *   element.addEventListener("codat-connect:connected", (event) => console.log(event.detail));
 *   connect.destroy();
 *
 * Where popups are not an option (in-app browsers), send the whole tab instead, with the
 * one-time URL your backend got from POST /v1/sessions with "delivery": "link" and a returnUrl
 * on this page; back on this page, deliver the outcome as the same events:
 *
 *   CodatConnect.mount(element, { mode: "redirect", startUrl: answer.url });
 *   CodatConnect.deliverReturn(element);   // on load: codat-connect:finished, if the owner is back
 *
 * The app runs in an iframe on the Codat Connect server's origin, so the host page needs no
 * 'wasm-unsafe-eval', keeps its own styles, and never sees a Codat key. Events bubble from the
 * element: codat-connect:ready, :started, :connected, :finished, :error (detail.recoverable),
 * :closed. The server's FRAME_ANCESTORS must name the host page's origin.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var serverOrigin = script && script.src ? new URL(script.src).origin : window.location.origin;
  var EVENTS = ["ready", "started", "connected", "finished", "attention_needed", "error", "closed"];
  var MIN_HEIGHT = 320;
  var MAX_HEIGHT = 4000;

  function mount(element, options) {
    if (!(element instanceof Element)) {
      throw new TypeError("CodatConnect.mount: the first argument must be an element");
    }
    options = options || {};
    var origin = options.serverUrl ? new URL(options.serverUrl).origin : serverOrigin;
    if (options.mode === "redirect") {
      var start = new URL(options.startUrl || "", window.location.href);
      if (start.origin !== origin || start.pathname.indexOf("/start/") !== 0) {
        throw new TypeError("CodatConnect.mount: options.startUrl must be the link from POST /v1/sessions");
      }
      window.location.assign(start.href);
      return { frame: null, destroy: function () {} };
    }
    if (typeof options.sessionToken !== "string" || options.sessionToken === "") {
      throw new TypeError("CodatConnect.mount: options.sessionToken is required");
    }
    var settings = {
      sessionToken: options.sessionToken,
      hostOrigin: window.location.origin,
      sourceTypes: options.sourceTypes || [],
      platforms: options.platforms || [],
      platform: options.platform || null,
      locale: options.locale || null,
      theme: options.theme || null,
      themeTokens: options.themeTokens || {},
    };
    var frame = document.createElement("iframe");
    var french = typeof options.locale === "string" && options.locale.toLowerCase().indexOf("fr") === 0;
    frame.title = options.title || (french ? "Connectez votre entreprise" : "Connect your business");
    frame.className = "codat-connect-frame";
    // The fragment never reaches a server; the app removes it from its address at once.
    frame.src = origin + "/connect#embed=" + encodeURIComponent(JSON.stringify(settings));
    // CSSOM writes, not inline style markup: a strict host CSP allows them.
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = MIN_HEIGHT + "px";

    function onMessage(event) {
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      var message;
      try {
        message = typeof event.data === "string" ? JSON.parse(event.data) : null;
      } catch (ignored) {
        return;
      }
      if (!message || message.source !== "codat-connect") return;
      if (message.type === "resize") {
        var height = Number(message.detail && message.detail.height) || MIN_HEIGHT;
        frame.style.height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(height))) + "px";
        return;
      }
      if (EVENTS.indexOf(message.type) === -1) return;
      element.dispatchEvent(
        new CustomEvent("codat-connect:" + message.type, { detail: message.detail || {}, bubbles: true })
      );
    }

    window.addEventListener("message", onMessage);
    element.replaceChildren(frame);
    return {
      frame: frame,
      /** Removes the app from the page. */
      destroy: function () {
        window.removeEventListener("message", onMessage);
        frame.remove();
      },
    };
  }

  /**
   * Back from a flow in the whole tab: the outcome in this page's query (codat_connect=finished,
   * complete, missing, skipped) becomes a codat-connect:finished event on the element, and leaves
   * the address. Answers whether there was one.
   */
  function deliverReturn(element) {
    var url = new URL(window.location.href);
    var outcome = url.searchParams.get("codat_connect");
    if (outcome !== "finished") return false;
    var kinds = function (name) {
      var value = url.searchParams.get(name) || "";
      return value ? value.split(",") : [];
    };
    var detail = { complete: kinds("complete"), missing: kinds("missing"), skipped: kinds("skipped") };
    ["codat_connect", "complete", "missing", "skipped"].forEach(function (name) {
      url.searchParams.delete(name);
    });
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    element.dispatchEvent(new CustomEvent("codat-connect:finished", { detail: detail, bubbles: true }));
    return true;
  }

  window.CodatConnect = Object.freeze({ mount: mount, deliverReturn: deliverReturn, events: EVENTS.slice() });
})();
