// The register's pages write through the JSON API: each <form data-api="METHOD URL"> sends its
// named fields as JSON (data-type: int, list "a; b", true, multi = checked boxes as a list).
"use strict";
const CSRF = document.querySelector("meta[name=csrf]")?.content || "";

async function api(method, url, body, type) {
  const opts = { method, headers: { "X-CSRF-Token": CSRF } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = type || "application/json";
    opts.body = type ? body : JSON.stringify(body);
  }
  const r = await fetch(url, opts);
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  return { ok: r.ok, status: r.status, data };
}

function fieldsOf(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    const t = el.dataset.type;
    if (t === "multi") { (body[el.name] ||= []); if (el.checked) body[el.name].push(el.value); }
    else if (t === "int") body[el.name] = el.value === "" ? null : parseInt(el.value, 10);
    else if (t === "list") body[el.name] = el.value.split(";").map((s) => s.trim()).filter(Boolean);
    else if (t === "true") body[el.name] = true;
    else if (el.type === "date") body[el.name] = el.value || null;
    else body[el.name] = el.value;
  }
  return body;
}

// A point of the selection as an offset into the notice's text: each piece of the text is a
// <span data-s="offset">, so the offset is the piece's plus the point's within it.
function offsetOf(node, offset) {
  const piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : null;
  if (!piece || piece.dataset.s === undefined || !piece.closest("#notice-text")) return null;
  return parseInt(piece.dataset.s, 10) + offset;
}

function offsetsOf(range) {
  const start = offsetOf(range.startContainer, range.startOffset);
  const end = offsetOf(range.endContainer, range.endOffset);
  return start === null || end === null || end <= start ? ["", ""] : [start, end];
}

function say(el, text) { if (el) el.textContent = text; }

document.addEventListener("submit", async (ev) => {
  const form = ev.target.closest("form[data-api]");
  if (!form) return;
  ev.preventDefault();
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  const [method, url] = form.dataset.api.split(" ");
  const msg = form.querySelector(".msg");
  say(msg, "Đang lưu…");
  const r = await api(method, url, method === "DELETE" ? undefined : fieldsOf(form));
  if (r.ok) { say(msg, "Đã lưu."); window.location.reload(); return; }
  say(msg, (r.data && r.data.error) || "Lỗi " + r.status);
  if (msg) msg.classList.add("error");
});

document.addEventListener("click", async (ev) => {
  const btn = ev.target.closest("button.collective");
  if (btn) {
    const r = await api("PATCH", "/api/units/" + btn.dataset.unit, { collective: btn.dataset.value === "true" });
    if (r.ok) window.location.reload();
    return;
  }
  if (ev.target.id === "from-selection") {
    const sel = window.getSelection();
    const form = document.getElementById("add-form");
    const text = String(sel || "");
    form.elements.action.value = text.trim();
    form.elements.evidence.value = text;
    const [start, end] = sel && sel.rangeCount ? offsetsOf(sel.getRangeAt(0)) : ["", ""];
    form.elements.evidence_start.value = start;
    form.elements.evidence_end.value = end;
    form.elements.action.focus();
  }
});

// keep the selection when the button is pressed (a click would clear it first)
document.getElementById("from-selection")?.addEventListener("mousedown", (ev) => ev.preventDefault());

document.getElementById("import-go")?.addEventListener("click", async () => {
  const files = document.getElementById("import-files").files;
  const out = document.getElementById("import-result");
  const docs = [];
  for (const f of files) {
    try { docs.push(JSON.parse(await f.text())); } catch (e) { say(out, f.name + ": không phải JSON."); return; }
  }
  say(out, "Đang nhập…");
  const r = await api("POST", "/api/import", docs);
  say(out, r.ok ? "Đã nhập: " + r.data.summary : (r.data && r.data.error) || "Lỗi " + r.status);
});

document.getElementById("xlsx-go")?.addEventListener("click", async () => {
  const file = document.getElementById("xlsx-file").files[0];
  const out = document.getElementById("xlsx-result");
  if (!file) return;
  const r = await api("POST", "/api/import.xlsx", await file.arrayBuffer(),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  if (r.ok) say(out, "Đã sửa " + r.data.changed + ", thêm " + r.data.added + " nhiệm vụ.");
  else say(out, [(r.data && r.data.error) || "Lỗi", ...((r.data && r.data.problems) || [])].join("\n"));
});
