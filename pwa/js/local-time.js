// Date and time fields (<input type="datetime-local">, <input type="date">) hold the
// device's local time with no zone. Haven sends times as ISO 8601 with the device's
// offset, so the server stores the moment the user meant. A school's devices are in the
// school's time zone, which is also the zone Haven shows times in (time.js).

const pad = (number) => String(number).padStart(2, '0');

/** A Date as a datetime-local field's value: "2026-11-29T14:05". */
export function localInputValue(moment) {
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`
    + `T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

/** A Date as "2026-11-29T14:05:00+00:00", in the device's offset. */
export function isoWithOffset(moment) {
  const offset = -moment.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hours = pad(Math.floor(Math.abs(offset) / 60));
  const minutes = pad(Math.abs(offset) % 60);
  return `${localInputValue(moment)}:${pad(moment.getSeconds())}${sign}${hours}:${minutes}`;
}

/** The value of a datetime-local field as a Date (local time), or null when empty. */
export function fromLocalInput(value) {
  if (!value) return null;
  const moment = new Date(value); // without a zone, the string is read as local time
  return Number.isNaN(moment.getTime()) ? null : moment;
}

/** A date field's value ("2026-11-29") as the first or last moment of that local day. */
export function startOfDay(value) {
  return value ? isoWithOffset(new Date(`${value}T00:00:00`)) : '';
}

export function endOfDay(value) {
  return value ? isoWithOffset(new Date(`${value}T23:59:59`)) : '';
}

/** A date with no time ("2015-04-01", a date of birth) in British style: "01/04/2015". */
export function britishDate(value) {
  const [year, month, day] = value.split('-');
  return `${day}/${month}/${year}`;
}
