// The overlay and the stage: render the state from the server, follow its event stream.
// User text only ever goes into textContent (never innerHTML), and the server's
// Content-Security-Policy allows no inline script and no other origin.
"use strict";
(function () {
  const body = document.body;
  const config = JSON.parse(body.dataset.config);
  const words = config.words;
  const page = body.dataset.page;
  const FADE = 150; // ms: the old question fades out, then the new one fades in
  const STALE_AFTER = config.stale_after * 1000; // ms without any message from the server
  let lastMessage = Date.now();
  let connected = true;
  let shown = null; // what the overlay shows: "id|text|project|askers"
  let pending = null;
  let source = null;

  const $ = (id) => document.getElementById(id);

  function askersText(n) {
    if (!n || n < 2) return n === 1 ? words.askers_one : "";
    return words.askers_many.replace("{n}", String(n));
  }

  function applyLook() {
    if (page !== "overlay") return; // the stage has its own light and dark look
    const look = config.look;
    const style = document.documentElement.style;
    style.setProperty("--font", look.font);
    style.setProperty("--size", look.size + "px");
    style.setProperty("--color", look.color);
    style.setProperty("--background", look.background);
    style.setProperty("--accent", look.accent);
    body.classList.add("at-" + look.position);
  }

  function fill(q) {
    $("question").textContent = q ? q.text : "";
    $("project").textContent = q && q.project ? q.project.name : "";
    $("askers").textContent = q ? askersText(q.askers) : "";
  }

  function renderOverlay(state) {
    const q = state.on_air;
    const look = config.look;
    const view = q
      ? {
          text: q.text,
          project: look.show_project ? q.project : null,
          askers: look.show_askers ? q.askers : 0,
        }
      : null;
    const key = view ? [q.id, view.text, view.project && view.project.name, view.askers].join("|") : null;
    if (key === shown) return;
    const third = $("third");
    const wasShown = shown !== null;
    shown = key;
    if (pending) clearTimeout(pending);
    if (view && wasShown && third.dataset.id === String(q.id) && !third.classList.contains("leaving")) {
      fill(view); // the same question, a new count or wording: no fade
      return;
    }
    const swap = () => {
      pending = null;
      third.classList.remove("leaving");
      if (view) {
        fill(view);
        third.dataset.id = String(q.id);
        third.classList.add("shown");
      } else {
        delete third.dataset.id;
      }
    };
    if (wasShown) {
      third.classList.add("leaving");
      third.classList.remove("shown");
      pending = setTimeout(swap, FADE);
    } else {
      swap();
    }
  }

  function renderStage(state) {
    const q = state.on_air;
    const current = $("current");
    current.classList.toggle("empty", !q);
    if (q) {
      fill(q);
      current.dataset.id = String(q.id);
    } else {
      fill(null);
      $("question").textContent = words.none;
      delete current.dataset.id;
    }
    const list = $("next");
    list.replaceChildren();
    for (const g of state.next) {
      const item = document.createElement("li");
      const project = document.createElement("span");
      project.className = "project";
      project.textContent = g.project ? g.project.name : "";
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = g.text;
      item.dataset.id = String(g.id);
      item.append(project, text);
      list.append(item);
    }
    if (!state.next.length) {
      const item = document.createElement("li");
      item.className = "none";
      item.textContent = words.empty;
      list.append(item);
    }
    const presenting = $("presenting");
    presenting.textContent = state.presenting
      ? words.presenting.replace("{name}", state.presenting.name)
      : "";
    presenting.hidden = !state.presenting;
  }

  function render(state) {
    if (!state) return;
    connected = state.connected !== false;
    if (page === "overlay") renderOverlay(state);
    else renderStage(state);
    body.dataset.seq = String(state.seq);
    checkStale();
  }

  function checkStale() {
    const stale = !connected || Date.now() - lastMessage > STALE_AFTER;
    $("stale").hidden = !stale;
    body.classList.toggle("is-stale", stale);
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(config.events);
    source.addEventListener("state", (event) => {
      lastMessage = Date.now();
      render(JSON.parse(event.data));
    });
    source.addEventListener("ping", (event) => {
      lastMessage = Date.now();
      connected = JSON.parse(event.data).connected !== false;
      checkStale();
    });
    source.onerror = () => {
      // The browser retries by itself after a dropped connection; after a refused one
      // (a restarted server answering with an error) it gives up: start again.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    };
  }

  applyLook();
  render(config.state);
  setInterval(checkStale, 1000);
  connect();
})();
