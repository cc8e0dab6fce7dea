// The page of `bundle serve`: NiiVue (served by this server from its npm package) shows the image in three
// planes and a 3-D render; clicks become points in the image's voxel indices; Segment sends them to the API.
import { MULTIPLANAR_TYPE, Niivue, NVImage, SHOW_RENDER, SLICE_TYPE } from '/assets/niivue.js';

const $ = (id) => document.getElementById(id);
const NOT_COMPUTED = 255;
const state = {
  token: new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('bundle-serve-token'),
  info: null,
  image: null,
  points: [],
  result: null,
  overlay: null,
  running: false,
};

const nv = new Niivue({ backColor: [0.1, 0.1, 0.12, 1], crosshairColor: [0.3, 0.7, 1, 1], show3Dcrosshair: true, multiplanarShowRender: SHOW_RENDER.ALWAYS, multiplanarLayout: MULTIPLANAR_TYPE.GRID, loadingText: 'upload or open an image' });
await nv.attachToCanvas($('gl'));
nv.setSliceType(SLICE_TYPE.MULTIPLANAR);
// for scripted use and the browser test: the viewer and the page state
window.bundleServe = { nv, state, SLICE_TYPE };

function authHeaders() {
  return state.token ? { authorization: `Bearer ${state.token}` } : {};
}

class ApiError extends Error {
  constructor(body, status) {
    super(body.message);
    this.body = body;
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...authHeaders(), ...(options.headers ?? {}) } });
  if (response.ok) return response.status === 204 ? null : (response.headers.get('content-type') ?? '').includes('json') ? response.json() : response;
  let body;
  try {
    body = await response.json();
  } catch {
    body = { kind: 'http', message: `${response.status} ${response.statusText}`, where: null, hint: '' };
  }
  if (response.status === 401) $('token-box').hidden = false;
  throw new ApiError(body, response.status);
}

function showError(error) {
  const box = $('error');
  if (!error) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  const b = error instanceof ApiError ? error.body : { kind: 'error', message: String(error.message ?? error), where: null, hint: '' };
  box.textContent = `${b.message}${b.where ? `\n(${b.where})` : ''}${b.hint ? `\nhint: ${b.hint}` : ''}\n[${b.kind}]`;
  box.hidden = false;
}

function setStatus(text) {
  $('status').textContent = text;
}

async function busy(text, job) {
  state.running = true;
  updateButtons();
  showError(null);
  $('progress').hidden = false;
  const started = performance.now();
  const tick = setInterval(() => setStatus(`${text} ${((performance.now() - started) / 1000).toFixed(0)} s`), 500);
  setStatus(text);
  try {
    return await job();
  } catch (e) {
    showError(e);
    setStatus('error');
    return undefined;
  } finally {
    clearInterval(tick);
    $('progress').hidden = true;
    state.running = false;
    updateButtons();
  }
}

function updateButtons() {
  const prompt = state.info?.mode === 'prompt';
  const label = $('labels').value;
  $('segment').disabled = state.running || !state.image || (prompt && !label && state.points.length === 0);
  $('undo').disabled = state.running || state.points.length === 0;
  $('clear').disabled = state.running || (state.points.length === 0 && !state.result);
}

function renderLabels() {
  const query = $('label-search').value.trim().toLowerCase();
  const select = $('labels');
  const current = select.value;
  select.replaceChildren(new Option('(none: clicks only)', ''));
  for (const l of state.info?.labels ?? []) {
    if (query && !l.name.toLowerCase().includes(query) && String(l.id) !== query) continue;
    select.append(new Option(`${l.id} ${l.name}`, String(l.id)));
  }
  select.value = [...select.options].some((o) => o.value === current) ? current : select.options[1]?.value ?? '';
  updateButtons();
}

function renderPoints() {
  $('points').replaceChildren(
    ...state.points.map((p) => {
      const li = document.createElement('li');
      li.className = p.label === 1 ? 'pos' : 'neg';
      li.textContent = `${p.label === 1 ? '+' : '−'} [${p.ijk.join(', ')}]`;
      return li;
    }),
  );
  updateButtons();
}

async function showImage(entry) {
  state.image = entry;
  state.points = [];
  state.result = null;
  state.overlay = null;
  renderPoints();
  renderResult();
  await nv.loadVolumes([{ url: `/api/images/${entry.image_id}`, name: entry.name, headers: authHeaders() }]);
  setStatus(`${entry.name}: ${entry.shape.join(' × ')} voxels`);
  updateButtons();
}

// a click on a slice moves the crosshair: that voxel becomes a point
let moved = null;
nv.onLocationChange = (location) => {
  moved = location;
};
$('gl').addEventListener('pointerdown', (e) => {
  moved = null;
  $('gl').dataset.shift = e.shiftKey ? '1' : '';
});
$('gl').addEventListener('pointerup', () => {
  if (!state.image || !moved || state.info?.mode !== 'prompt') return;
  const ijk = Array.from(moved.vox, (c) => Math.round(c));
  const negative = $('gl').dataset.shift === '1' || $('negative').checked;
  state.points.push({ ijk, label: negative ? 0 : 1 });
  moved = null;
  renderPoints();
});

function renderResult() {
  const table = $('label-table');
  const body = table.querySelector('tbody');
  if (!state.result) {
    table.hidden = true;
    $('download').hidden = true;
    $('timings').textContent = '';
    return;
  }
  body.replaceChildren(
    ...(state.result.labels ?? []).map((l) => {
      const tr = document.createElement('tr');
      for (const cell of [l.id, l.name ?? '(unnamed)', l.voxels, l.ml.toFixed(1)]) {
        const td = document.createElement('td');
        td.textContent = String(cell);
        tr.append(td);
      }
      return tr;
    }),
  );
  table.hidden = false;
  $('download').hidden = false;
  const t = state.result.timings;
  $('timings').textContent = `${(t.total / 1000).toFixed(2)} s (preprocessing ${state.result.preprocessing_cached ? 'cached' : `${(t.preprocessing / 1000).toFixed(2)} s`}, inference ${(t.inference / 1000).toFixed(2)} s)`;
}

async function showOverlay(resultId) {
  const overlay = await NVImage.loadFromUrl({ url: `/api/results/${resultId}`, name: 'result.nii.gz', headers: authHeaders() });
  // voxels no point window computed are not part of the mask
  let max = 1;
  for (let i = 0; i < overlay.img.length; i++) {
    if (overlay.img[i] === NOT_COMPUTED) overlay.img[i] = 0;
    else if (overlay.img[i] > max) max = overlay.img[i];
  }
  overlay.colormap = 'red';
  overlay.cal_min = 0.5;
  overlay.cal_max = max;
  overlay.opacity = Number($('opacity').value);
  if (state.overlay) nv.removeVolume(state.overlay);
  nv.addVolume(overlay);
  state.overlay = overlay;
  nv.updateGLVolume();
}

async function segment() {
  await busy('segmenting…', async () => {
    const body = {};
    const label = $('labels').value;
    if (state.info.mode === 'prompt') {
      if (label) body.label_prompt = [Number(label)];
      if (state.points.length) {
        body.points = state.points.map((p) => p.ijk);
        body.point_labels = state.points.map((p) => p.label);
        if ($('refine').checked && state.result?.reusable && state.result.label === label) body.prev_result = state.result.result_id;
      }
    }
    const result = await api(`/api/images/${state.image.image_id}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    state.result = { ...result, label };
    await showOverlay(result.result_id);
    renderResult();
    const found = (result.labels ?? []).filter((l) => l.id !== NOT_COMPUTED);
    setStatus(`done: ${found.length} label${found.length === 1 ? '' : 's'}`);
  });
}

$('segment').addEventListener('click', segment);
$('undo').addEventListener('click', () => {
  state.points.pop();
  renderPoints();
});
$('clear').addEventListener('click', () => {
  state.points = [];
  state.result = null;
  if (state.overlay) nv.removeVolume(state.overlay);
  state.overlay = null;
  renderPoints();
  renderResult();
});
$('opacity').addEventListener('input', () => {
  if (state.overlay) nv.setOpacity(nv.volumes.indexOf(state.overlay), Number($('opacity').value));
});
$('label-search').addEventListener('input', renderLabels);
$('labels').addEventListener('change', updateButtons);
$('download').addEventListener('click', async (e) => {
  e.preventDefault();
  if (!state.result) return;
  const response = await api(`/api/results/${state.result.result_id}`).catch(showError);
  if (!response) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await response.blob());
  a.download = `${state.image.name.replace(/\.nii(\.gz)?$/i, '')}_seg.nii.gz`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
});
$('upload').addEventListener('change', async () => {
  const file = $('upload').files[0];
  if (!file) return;
  await busy(`uploading ${file.name}…`, async () => {
    const entry = await api(`/api/images?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
    await showImage(entry);
  });
});
$('open-data').addEventListener('click', async () => {
  const name = $('data-files').value;
  if (!name) return;
  await busy(`opening ${name}…`, async () => {
    const entry = await api('/api/images/from_data_dir', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    await showImage(entry);
  });
});
$('save-token').addEventListener('click', () => {
  state.token = $('token').value;
  sessionStorage.setItem('bundle-serve-token', state.token);
  $('token-box').hidden = true;
  start();
});

async function start() {
  await busy('connecting…', async () => {
    state.info = await api('/api/info');
    $('bundle-name').textContent = `· ${state.info.bundle} (${state.info.mode} mode)`;
    $('prompt-section').hidden = state.info.mode !== 'prompt';
    renderLabels();
    if (state.info.data_dir) {
      const { files } = await api('/api/data_dir');
      $('data-files').replaceChildren(...files.map((f) => new Option(f, f)));
      $('data-dir').hidden = files.length === 0;
    }
    setStatus('ready: upload or open an image');
  });
}

start();
