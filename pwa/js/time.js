// Times are shown in the school's time zone (a school setting, Europe/London by default),
// in British style: 29/11/2026, 14:05.

export function timeOfDay(moment, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone })
    .format(moment);
}

export function dateAndTime(moment, timeZone) {
  return new Intl.DateTimeFormat('en-GB', {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone,
  }).format(moment);
}

/** 65 000 ms → "1:05" */
export function minutesAndSeconds(milliseconds) {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
