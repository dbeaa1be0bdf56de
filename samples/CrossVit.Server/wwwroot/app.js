// The demo page: posts the chosen or dropped image to /v1/classify as raw bytes and shows its top 5 classes.
"use strict";

const $ = (id) => document.getElementById(id);

async function describeModel() {
  try {
    const response = await fetch("/v1/model");
    const model = await response.json();
    $("model").textContent = response.ok
      ? `${model.model} (${model.weights}), ${model.parameters.toLocaleString("en")} parameters, ${model.isa}`
      : model.error;
  } catch (e) {
    $("model").textContent = `The model description could not be loaded: ${e.message}`;
  }
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

function showResults(top, elapsedMs) {
  const list = $("results");
  list.replaceChildren(...top.map((prediction) => {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = prediction.label;
    const percent = (prediction.probability * 100).toFixed(1);
    const probability = document.createElement("span");
    probability.className = "probability";
    probability.textContent = `${percent}%`;
    const bar = document.createElement("span");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${percent}%`;
    bar.append(fill);
    item.append(label, probability, bar);
    return item;
  }));
  $("elapsed").textContent = `Answered in ${elapsedMs.toFixed(0)} ms.`;
}

async function classify(file) {
  $("error").hidden = true;
  $("results").replaceChildren();
  $("elapsed").textContent = "Classifying…";
  $("preview").src = URL.createObjectURL(file);
  $("name").textContent = file.name;
  $("output").hidden = false;
  document.body.dataset.state = "busy";
  try {
    const response = await fetch("/v1/classify?top=5", {
      method: "POST",
      headers: { "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
    showResults(answer.top, answer.elapsed_ms);
  } catch (e) {
    $("elapsed").textContent = "";
    showError(e.message);
  } finally {
    document.body.dataset.state = "done";
  }
}

const drop = $("drop");
$("file").addEventListener("change", (event) => {
  if (event.target.files.length > 0) classify(event.target.files[0]);
});
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (event.dataTransfer.files.length > 0) classify(event.dataTransfer.files[0]);
});
describeModel();
