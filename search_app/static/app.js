// Copy buttons for citations. Without JavaScript the citation stays readable
// (and selectable) in its <details> box; this only adds one-click copying.
"use strict";

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

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const area = document.getElementById(button.dataset.copy);
    if (!area) continue;
    const label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const done = await copyText(area);
      button.textContent = done ? "Đã sao chép ✓" : "Hãy chọn và sao chép";
      button.classList.toggle("copied", Boolean(done));
      announce(done ? "Đã sao chép trích dẫn." : "Không sao chép tự động được; trích dẫn đã được chọn.");
      setTimeout(() => {
        button.textContent = label;
        button.classList.remove("copied");
      }, 2500);
    });
  }
});
