// Where Debian's chromium is and the flags every headless run here uses (the browser tests and the
// screenshot script share them). ARS_CHROMIUM overrides the path.
export const CHROMIUM_PATH = process.env.ARS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
