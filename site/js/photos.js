// Photos: shrunk in the browser to at most 2 megapixels as JPEG (which also drops
// the EXIF location), uploaded straight to the photo store with a presigned POST,
// and kept as the keys the ticket will name. Hidden where the API has no uploads.

import { api, ApiError } from "./api.js";
import { element, showError } from "./dom.js";
import { fill, texts } from "./text.js";

const MAX_PIXELS = 2_000_000;
const THUMB_WIDTH = 160;
const QUALITY = 0.85;
const MAX_PHOTOS = 3;

async function draw(file, width, height) {
  const image = await createImageBitmap(file);
  const scale = Math.min(1, width ? width / image.width : Math.sqrt(MAX_PIXELS / (image.width * image.height)));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.floor(image.width * scale));
  canvas.height = Math.max(1, Math.floor(image.height * scale));
  canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
  image.close();
  return canvas;
}

async function shrink(file) {
  const canvas = await draw(file);
  return new Promise((resolve) => { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
}

async function thumbnail(file) {
  return (await draw(file, THUMB_WIDTH)).toDataURL("image/jpeg", 0.7);
}

async function upload(blob, name, path) {
  const form = await api("POST", path, {
    body: { content_type: "image/jpeg", size: blob.size, filename: name.replace(/\.\w+$/, "") + ".jpg" },
  });
  const data = new FormData();
  Object.entries(form.fields || {}).forEach(([field, value]) => data.append(field, value));
  data.append("file", blob, "photo.jpg");
  let response;
  try {
    response = await fetch(form.url, { method: "POST", body: data, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", texts.network_error);
  }
  if (!response.ok) throw new ApiError(response.status, "upload_failed", texts.photo_failed);
  return form.key;
}

// `photos`: [{key, thumb}] already attached (a restored draft). onChange gets the new list.
// Staff upload through their own API (`uploads`).
export function photoPicker(root, photos, onChange, uploads = "/api/uploads") {
  const input = root.querySelector("input[type=file]");
  const alert = root.querySelector(".error");
  const list = root.querySelector(".thumbs");
  let kept = [...photos];

  function render() {
    list.replaceChildren(...kept.map((photo, index) => element("li", {},
      element("img", { src: photo.thumb, alt: fill(texts.photo_number, { number: index + 1 }) }),
      element("button", { type: "button", class: "secondary", "data-index": index },
        fill(texts.remove_photo, { number: index + 1 })))));
    input.disabled = kept.length >= MAX_PHOTOS;
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (!button) return;
    kept.splice(Number(button.dataset.index), 1);
    render();
    onChange(kept);
    input.focus();
  });

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    showError(alert, "");
    input.setAttribute("aria-invalid", "false");
    input.disabled = true;
    try {
      if (!file.type.startsWith("image/")) throw new ApiError(415, "not_an_image", texts.not_an_image);
      const [blob, thumb] = await Promise.all([shrink(file), thumbnail(file)]);
      kept.push({ key: await upload(blob, file.name, uploads), thumb });
      onChange(kept);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        root.hidden = true;
        return;
      }
      input.setAttribute("aria-invalid", "true");
      showError(alert, error instanceof ApiError ? error.message : texts.not_an_image);
    } finally {
      input.value = "";
      render();
    }
  });

  root.hidden = false;
  render();
  return { clear() { kept = []; render(); } };
}
