// The playground: reruns engine.js on the reader's prompt and temperature and redraws the
// page's tables with the same markup the site generator writes (PlaygroundPage.swift).
// Nothing changes until the reader edits something or opens a link with ?text=…, except that
// a page too small for its attention maps (data-drawn-by-script) gets them drawn on load.
"use strict";

(() => {
  const model = sitegenModel, E = SitegenEngine;
  const $ = (id) => document.getElementById(id);
  const settings = { seed: 0, topK: 0, topP: 1, count: 8 };
  const joiner = model.tokenizer === "words" ? " " : "";   // chars and checkpoint tokens join without spaces

  /// NumberFormat.short: fixed decimals, a true minus sign, no sign when it rounds to zero.
  function fmt(v, decimals = 2) {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v < 0 ? "−∞" : "∞";
    const text = Math.abs(v).toFixed(decimals);
    return (v < 0 && Number(text) !== 0 ? "−" : "") + text;
  }
  /// NumberFormat.percent: one decimal, or two significant digits below 0.05%.
  function percent(p) {
    const v = p * 100;
    if (!Number.isFinite(v) || v === 0 || Math.abs(v) >= 0.05) return fmt(v, 1) + "%";
    return fmt(v, Math.min(9, 1 - Math.floor(Math.log10(Math.abs(v))))) + "%";
  }
  const escape = (s) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  function heatmap(w, tokens, layer, head) {
    let out = `<div class="table-scroll" tabindex="0" role="region" aria-label="Attention, layer ${layer + 1}, head ${head + 1}"><table class="matrix heat"><caption>Layer ${layer + 1}, head ${head + 1}</caption>\n<thead><tr><th scope="col">query \\ key</th>`;
    out += tokens.map((t) => `<th scope="col">${escape(t)}</th>`).join("") + "</tr></thead>\n<tbody>\n";
    w.forEach((row, i) => {
      out += `<tr><th scope="row">${escape(tokens[i])}</th>`;
      for (const v of row) out += `<td style="background-color: rgba(33, 102, 172, ${fmt(v * 0.65)})">${fmt(v)}</td>`;
      out += "</tr>\n";
    });
    return out + "</tbody></table></div>";
  }

  function vectors(trace) {
    const last = trace.ids.length - 1, multi = trace.layers.length > 1;
    const rows = [["embedding x", trace.embeddings.x[last]]];
    trace.layers.forEach((l, i) => {
      const p = multi ? `L${i + 1} ` : "";
      rows.push([p + "LN1", l.ln1[last]], [p + "attention out", l.attn_out[last]], [p + "h1", l.resid_mid[last]],
                [p + "MLP out", l.mlp_out[last]], [p + "h2", l.resid_out[last]]);
    });
    rows.push(["final", trace.final[last]]);
    // As many dimensions as the table's header has (a wide model's table shows the first few).
    const shown = $("last-vectors").tHead.rows[0].cells.length - 1;
    return rows.map(([name, v]) => `<tr><th scope="row">${escape(name)}</th>` + v.slice(0, shown).map((x) => `<td>${fmt(x)}</td>`).join("") + "</tr>").join("\n");
  }

  function run() {
    const text = $("prompt-text").value, temperature = Number($("temperature").value);
    $("temperature-value").textContent = String(temperature);
    const url = new URL(window.location.href);
    url.searchParams.set("text", text);
    url.searchParams.set("temperature", String(temperature));
    try { window.history.replaceState(null, "", url.href); } catch (_) { /* file:// in some browsers */ }
    const { tokens, ids, unknown } = E.tokenize(model, text);
    const status = $("playground-status");
    if (ids.length === 0) { status.textContent = "Type at least one token."; return; }
    if (unknown.length > 0) {
      status.textContent = `Not in the vocabulary: ${unknown.map((t) => `“${t}”`).join(", ")}. The vocabulary: ${model.vocab.slice(0, 40).join(" ")}`;
      return;
    }
    if (ids.length > model.config.max_positions) {
      status.textContent = `Your prompt has ${ids.length} tokens; this model reads at most ${model.config.max_positions} (config.max_positions).`;
      return;
    }
    const trace = E.forward(model, ids), last = ids.length - 1, probs = trace.probs[last];
    const top = E.descendingOrder(probs).slice(0, 10);
    $("next-token").tBodies[0].innerHTML = top.map((id) =>
      `<tr><th scope="row">${escape(model.vocab[id])}</th><td>${percent(probs[id])}</td></tr>`).join("\n");
    // "All 6 tokens" when the vocabulary is no longer than the list, else "Top 10" (as the page says).
    const listed = Math.min(10, model.vocab.length);
    $("next-token-caption").textContent = `${listed === model.vocab.length ? `All ${listed} tokens` : `Top ${listed}`} after “${tokens[last]}”`;
    const tempered = E.softmax(trace.logits[last].map((z) => z / temperature));
    $("tempered").tBodies[0].innerHTML = E.descendingOrder(tempered).slice(0, 10).map((id) =>
      `<tr><th scope="row">${escape(model.vocab[id])}</th><td>${percent(tempered[id])}</td></tr>`).join("\n");
    $("tempered-t").textContent = String(temperature);
    const maps = [];
    trace.layers.forEach((l, i) => l.weights.forEach((w, h) => maps.push(heatmap(w, tokens, i, h))));
    $("attention-maps").innerHTML = maps.join("\n");
    $("last-vectors").tBodies[0].innerHTML = vectors(trace);
    const steps = E.sample(model, ids, { ...settings, temperature });
    $("sampled-continuation").innerHTML = escape(tokens.join(joiner)) +           // the prompt, then the new tokens in bold
      `<strong>${escape(steps.map((s) => joiner + model.vocab[s.id]).join(""))}</strong>`;
    status.textContent = `Computed in your browser: “${text}”, ${ids.length} token${ids.length === 1 ? "" : "s"}, temperature ${temperature}.`;
  }

  // "Nudge a weight": the chosen entry of the chosen matrix follows the slider.
  function nudgeTarget() {
    const path = $("nudge-matrix").value.split(".");
    const matrix = path[0] === "layers" ? model.weights.layers[Number(path[1])][path[2]] : model.weights[path[0]];
    const r = Math.min(Math.max(0, Number($("nudge-row").value) | 0), matrix.length - 1);
    const c = Math.min(Math.max(0, Number($("nudge-column").value) | 0), matrix[0].length - 1);
    return { matrix, r, c };
  }
  function showNudged() {
    const { matrix, r, c } = nudgeTarget();
    $("nudge-value").value = String(matrix[r][c]);
    $("nudge-shown").textContent = fmt(matrix[r][c], 3);
  }

  const settingsFromPage = document.querySelector("[data-seed]");
  if (settingsFromPage) {
    settings.seed = Number(settingsFromPage.dataset.seed);
    settings.topK = Number(settingsFromPage.dataset.topK);
    settings.topP = Number(settingsFromPage.dataset.topP);
    settings.count = Number(settingsFromPage.dataset.count);
  }
  $("prompt-text").addEventListener("input", run);
  $("temperature").addEventListener("input", run);
  if ($("nudge-form")) {
    showNudged();
    for (const id of ["nudge-matrix", "nudge-row", "nudge-column"]) $(id).addEventListener("input", showNudged);
    $("nudge-value").addEventListener("input", () => {
      const { matrix, r, c } = nudgeTarget();
      matrix[r][c] = Number($("nudge-value").value);
      $("nudge-shown").textContent = fmt(matrix[r][c], 3);
      run();
    });
  }
  const query = new URLSearchParams(window.location.search);
  if (query.has("text") || query.has("temperature")) {
    if (query.has("text")) $("prompt-text").value = query.get("text");
    const t = Number(query.get("temperature"));
    if (query.has("temperature") && t > 0 && Number.isFinite(t)) $("temperature").value = String(t);
    run();
  } else if ($("attention-maps").dataset.drawnByScript === "yes") {
    run();
  }
})();
