// Last content script: start the core with the adapter that the previous script registered.
globalThis.Genuine.core.start();
