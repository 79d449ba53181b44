// Small conveniences; every page works without JavaScript.
"use strict";
document.documentElement.classList.add("js");

function announce(text) {
  const status = document.getElementById("status");
  if (status) status.textContent = text;
}

async function copyText(area) {
  try {
    await navigator.clipboard.writeText(area.value);
    return true;
  } catch (error) {
    // Clipboard API refused (permissions, older browser): select and copy.
    const box = area.closest("details");
    if (box) box.open = true;
    area.focus();
    area.select();
    return document.execCommand && document.execCommand("copy");
  }
}

function copyButtons() {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const area = document.getElementById(button.dataset.copy);
    if (!area) continue;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const done = await copyText(area);
      button.textContent = done ? "Đã sao chép ✓" : "Bấm Ctrl+C để sao chép";
      button.classList.toggle("copied", Boolean(done));
      announce(done ? "Đã sao chép trích dẫn." : "Không sao chép tự động được; trích dẫn đã được chọn, bấm Ctrl+C.");
      setTimeout(() => {
        button.textContent = label;
        button.classList.remove("copied");
      }, 2500);
    });
  }
}

// A button that opens and closes a panel (shown only on small screens);
// returns the function that sets it, or null when the page has neither.
function panelToggle(buttonSelector, panelId) {
  const button = document.querySelector(buttonSelector);
  const panel = document.getElementById(panelId);
  if (!button || !panel) return null;
  button.hidden = false;
  function set(open) {
    panel.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
  }
  button.addEventListener("click", () => set(!panel.classList.contains("open")));
  return set;
}

// On a phone the filters open from a button above the results. Choosing a
// value reloads the page: the panel opens again where the reader was.
function filtersToggle() {
  const set = panelToggle(".filters-toggle", "facets");
  if (!set) return;
  const panel = document.getElementById("facets");
  panel.addEventListener("click", (event) => {
    if (panel.classList.contains("open") && event.target.closest("a")) {
      sessionStorage.setItem("tracuu-filters-at", String(window.scrollY));
    }
  });
  const at = sessionStorage.getItem("tracuu-filters-at");
  if (at !== null) {
    sessionStorage.removeItem("tracuu-filters-at");
    set(true);
    window.scrollTo(0, Number(at));
  }
}

// The contents mark the section being read.
function tocFollows() {
  const toc = document.getElementById("toc");
  if (!toc || !("IntersectionObserver" in window)) return;
  const links = new Map();
  for (const link of toc.querySelectorAll("a[href^='#']")) links.set(decodeURIComponent(link.hash.slice(1)), link);
  let current = null;
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const link = links.get(entry.target.id);
      if (!link || link === current) continue;
      if (current) current.removeAttribute("aria-current");
      link.setAttribute("aria-current", "location");
      current = link;
    }
  }, { rootMargin: "-10% 0px -80% 0px" });
  for (const id of links.keys()) {
    const section = document.getElementById(id);
    if (section) observer.observe(section);
  }
}

// "/" focuses the search box, as in most search tools.
function slashToSearch() {
  const box = document.getElementById("q");
  if (!box) return;
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
}

function printButtons() {
  for (const button of document.querySelectorAll("button.print")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

// On a document page: next/previous across the marked hits, starting from
// the section the reader arrived at.
function hitNavigation() {
  const nav = document.querySelector(".hit-nav");
  if (!nav) return;
  const hits = Array.from(document.querySelectorAll(".document .section mark"));
  const at = nav.querySelector(".hit-at");
  const prev = nav.querySelector(".hit-prev");
  const next = nav.querySelector(".hit-next");
  if (!hits.length) return;
  let current = -1;
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target) {
    const inside = hits.findIndex((mark) => target.contains(mark));
    if (inside >= 0) current = inside;
  }
  function show(index, scroll) {
    if (current >= 0) hits[current].classList.remove("current");
    current = (index + hits.length) % hits.length;
    hits[current].classList.add("current");
    at.textContent = `${current + 1}/${hits.length}`;
    if (scroll) hits[current].scrollIntoView({ block: "center" });
  }
  for (const element of [prev, next, at]) element.hidden = false;
  prev.addEventListener("click", () => show(current - 1, true));
  next.addEventListener("click", () => show(current + 1, true));
  if (current >= 0) show(current, false);
  else at.textContent = `0/${hits.length}`;
}

// On a phone the contents open from a button in the reading tools.
function tocToggle() {
  const set = panelToggle(".toc-toggle", "toc");
  if (!set) return;
  document.getElementById("toc").addEventListener("click", (event) => {
    if (event.target.closest("a")) set(false);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  copyButtons();
  hitNavigation();
  tocToggle();
  tocFollows();
  filtersToggle();
  slashToSearch();
  printButtons();
});
