// The body map: a front and a back outline of a child, where staff mark injuries and
// what they saw. A tap or click places a numbered marker and moves focus to its note;
// a marker can be moved with the arrow keys and removed until the record is submitted.
// The incident page shows the same drawing, read-only.
//
// A marker is {view: 'front'|'back', x, y, note}, x and y from 0 to 1 across the
// outline's box, so the same marker lands in the same place at any size.
import { h } from '../dom.js';
import { field } from './form.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 100;
const HEIGHT = 220;
const NUDGE = 0.01; // an arrow key moves a marker by 1% of the box

// One hand-drawn outline, symmetrical, serving both views: head, then the body from the
// left of the neck, round the arm, down the leg and back up the other side.
const HEAD = { cx: 50, cy: 20, rx: 13, ry: 15 };
const BODY = [
  'M44 34 L44 40 C34 41 26 43 24 50',
  'L17 92 L14 112 Q12 120 17 121 Q21 120 21 112 L26 94 L30 64',
  'L31 100 L30 118 L32 170 L31 200 Q25 206 34 207 L41 206 L41 200',
  'L45 170 L49 124 L51 124',
  'L55 170 L59 200 L59 206 L66 207 Q75 206 69 200 L68 170',
  'L70 118 L69 100 L70 64 L74 94 L79 112 Q79 120 83 121 Q88 120 86 112',
  'L83 92 L76 50 C74 43 66 41 56 40 L56 34 Z',
].join(' ');

const VIEWS = [
  // Seen from the front, the child's right is on the viewer's left.
  { view: 'front', name: 'Front', sides: ['Right', 'Left'] },
  { view: 'back', name: 'Back', sides: ['Left', 'Right'] },
];

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

function outline({ view, name, sides }) {
  const drawing = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'body-map__drawing', 'data-view': view,
    role: 'group', 'aria-label': `${name} of the body`,
  },
  svg('ellipse', { ...HEAD, class: 'body-map__outline' }),
  svg('path', { d: BODY, class: 'body-map__outline' }),
  view === 'back' ? svg('path', { d: 'M50 42 L50 118', class: 'body-map__spine' }) : '',
  svg('text', { x: 4, y: 216, class: 'body-map__side', 'aria-hidden': 'true' }, sides[0]),
  svg('text', { x: 96, y: 216, class: 'body-map__side body-map__side--end', 'aria-hidden': 'true' },
    sides[1]));
  return drawing;
}

function markerLabel(number, marker) {
  const where = marker.view === 'front' ? 'front' : 'back';
  return `Marker ${number} on the ${where}${marker.note ? `: ${marker.note}` : ''}`;
}

/** Where a click or tap fell, from 0 to 1 across the drawing's box. */
function pointIn(drawing, event) {
  const point = drawing.createSVGPoint();
  point.x = event.clientX;
  point.y = event.clientY;
  const inBox = point.matrixTransform(drawing.getScreenCTM().inverse());
  const clamp = (value) => Math.min(1, Math.max(0, value));
  return { x: clamp(inBox.x / WIDTH), y: clamp(inBox.y / HEIGHT) };
}

/**
 * editable: taps place markers and each has a note field and a Remove button.
 * markers: the markers to start with (the incident's, when read-only).
 * Returns {element, markers()}.
 */
export function bodyMap({ editable = false, markers: initial = [] } = {}) {
  const markers = initial.map((marker) => ({ ...marker }));
  const drawings = Object.fromEntries(VIEWS.map((view) => [view.view, outline(view)]));
  const list = h('ol', { class: 'body-map__notes', 'data-testid': 'body-map-notes' });
  let focusAfterDrawing = null;

  const pins = new Map(); // marker → its <g>, so a note can relabel it without a redraw

  function pinLabel(number, marker) {
    return editable ? `${markerLabel(number, marker)}. Arrow keys move it.` : markerLabel(number, marker);
  }

  function pin(marker, number) {
    const group = svg('g', {
      class: 'body-map__marker',
      transform: `translate(${marker.x * WIDTH} ${marker.y * HEIGHT})`,
      'data-testid': 'body-map-marker',
      role: 'img',
      'aria-label': pinLabel(number, marker),
    },
    svg('circle', { r: 5.5 }),
    svg('text', { 'text-anchor': 'middle', dy: '2' }, String(number)));
    pins.set(marker, group);
    if (editable) {
      group.setAttribute('tabindex', '0');
      group.addEventListener('keydown', (event) => {
        const moves = {
          ArrowLeft: [-NUDGE, 0], ArrowRight: [NUDGE, 0], ArrowUp: [0, -NUDGE], ArrowDown: [0, NUDGE],
        };
        if (!moves[event.key]) return;
        event.preventDefault();
        const [dx, dy] = moves[event.key];
        marker.x = Math.min(1, Math.max(0, marker.x + dx));
        marker.y = Math.min(1, Math.max(0, marker.y + dy));
        focusAfterDrawing = () => drawings[marker.view].querySelectorAll('.body-map__marker')[
          markers.filter((m) => m.view === marker.view).indexOf(marker)]?.focus();
        draw();
      });
      // A tap on a marker is not a tap on the body: it must not place a second one.
      group.addEventListener('click', (event) => event.stopPropagation());
    }
    return group;
  }

  function noteRow(marker, number) {
    const where = marker.view === 'front' ? 'front' : 'back';
    if (!editable) {
      return h('li', { class: 'body-map__note', 'data-testid': 'body-map-note' },
        h('span', { class: 'body-map__number', 'aria-hidden': 'true' }, String(number)),
        h('span', {}, h('span', { class: 'body-map__where' }, `On the ${where}. `),
          marker.note || 'No note.'));
    }
    const note = h('input', {
      type: 'text',
      maxlength: 500,
      value: marker.note,
      enterkeyhint: 'next',
      'data-testid': 'body-map-note-input',
    });
    note.addEventListener('input', () => {
      marker.note = note.value;
      // The marker's spoken label gains the note. Only the label changes: redrawing the
      // rows would take the focus, and the next tap or keystroke, away from the person.
      pins.get(marker)?.setAttribute('aria-label', pinLabel(number, marker));
    });
    note.addEventListener('keydown', (event) => {
      // Enter in a note must not submit the record: it moves on, as the keyboard's "next" says.
      if (event.key !== 'Enter') return;
      event.preventDefault();
      const notes = [...list.querySelectorAll('input')];
      (notes[notes.indexOf(note) + 1] || drawings[marker.view]).focus();
    });
    const remove = h('button', { type: 'button', class: 'button button--secondary button--small' },
      'Remove', h('span', { class: 'visually-hidden' }, ` marker ${number}`));
    remove.addEventListener('click', () => {
      markers.splice(markers.indexOf(marker), 1);
      draw();
      // Focus goes to the next marker's note, or back to the drawing it was on.
      const notes = list.querySelectorAll('input');
      (notes[number - 1] || notes[notes.length - 1] || drawings[marker.view]).focus();
    });
    const row = h('li', { class: 'body-map__note', 'data-testid': 'body-map-note' },
      h('span', { class: 'body-map__number', 'aria-hidden': 'true' }, String(number)),
      h('div', { class: 'body-map__note-field' },
        field(`Note for marker ${number} (${where})`, note)),
      remove);
    return row;
  }

  function draw() {
    for (const drawing of Object.values(drawings)) {
      drawing.querySelectorAll('.body-map__marker').forEach((old) => old.remove());
    }
    pins.clear();
    markers.forEach((marker, index) => drawings[marker.view].append(pin(marker, index + 1)));
    list.replaceChildren(...markers.map((marker, index) => noteRow(marker, index + 1)));
    list.hidden = markers.length === 0;
    if (focusAfterDrawing) focusAfterDrawing();
    focusAfterDrawing = null;
  }

  if (editable) {
    for (const [view, drawing] of Object.entries(drawings)) {
      drawing.classList.add('body-map__drawing--editable');
      drawing.addEventListener('click', (event) => {
        markers.push({ view, ...pointIn(drawing, event), note: '' });
        draw();
        // Straight to the new marker's note: tap, then type what was seen.
        const notes = list.querySelectorAll('input');
        notes[notes.length - 1].focus();
      });
      // Without a pointer: Enter puts a marker in the middle, and the arrow keys move it.
      drawing.setAttribute('tabindex', '0');
      drawing.setAttribute('aria-label', `${drawing.getAttribute('aria-label')}: press Enter `
        + 'to add a marker, then move it with the arrow keys');
      drawing.addEventListener('keydown', (event) => {
        if (event.target !== drawing || (event.key !== 'Enter' && event.key !== ' ')) return;
        event.preventDefault();
        const marker = { view, x: 0.5, y: 0.4, note: '' };
        markers.push(marker);
        focusAfterDrawing = () => [...drawing.querySelectorAll('.body-map__marker')].pop().focus();
        draw();
      });
    }
  }
  draw();

  const figures = VIEWS.map(({ view, name }) => h('figure', { class: 'body-map__view' },
    drawings[view], h('figcaption', {}, name)));
  const element = h('div', { class: 'body-map', 'data-testid': 'body-map' },
    h('div', { class: 'body-map__views' }, figures),
    list);
  return { element, markers: () => markers.map((marker) => ({ ...marker })) };
}
