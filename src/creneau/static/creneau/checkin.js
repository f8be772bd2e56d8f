// Check-in page, progressive enhancement: read the convocation's QR code with the device camera
// (BarcodeDetector, where the browser has it), put it in the form's field and send the form.
// Without JavaScript, without a camera or without BarcodeDetector, the form works as it is:
// type the short code, or use a handheld scanner that types into the field. The field keeps the
// focus after a refusal (the refusal is announced by its role="alert"), ready for the next reading.
const form = document.getElementById("checkin-form");
const button = document.getElementById("checkin-camera");
const item = document.getElementById("checkin-camera-item");
const video = document.getElementById("checkin-video");
const status = document.getElementById("checkin-camera-status");
const field = form ? form.querySelector("input[name='code']") : null;

let stream = null;
let timer = null;

function stop() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (stream) stream.getTracks().forEach((track) => track.stop());
  stream = null;
  video.hidden = true;
  button.textContent = button.dataset.start;
}

async function start(detector) {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    status.textContent = button.dataset.denied;
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  // Not awaited: play() waits for the first frame, and the scan loop simply retries until frames come.
  video.play().catch(() => {});
  button.textContent = button.dataset.stop;
  status.textContent = button.dataset.reading;
  const scan = async () => {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      const found = codes.find((code) => code.rawValue);
      if (found) {
        field.value = found.rawValue;
        status.textContent = button.dataset.found;
        stop();
        form.requestSubmit ? form.requestSubmit() : form.submit();
        return;
      }
    } catch (error) {
      // A frame that cannot be read yet (camera warming up): try the next one.
    }
    timer = setTimeout(scan, 250);
  };
  scan();
}

async function enhance() {
  if (!form || !button || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  let formats = [];
  try {
    formats = await window.BarcodeDetector.getSupportedFormats();
  } catch (error) {
    return;
  }
  if (!formats.includes("qr_code")) return;
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  item.hidden = false;
  button.addEventListener("click", () => (stream ? stop() : start(detector)));
  window.addEventListener("pagehide", stop);
}

enhance();
