export * from './remote-command.js';
export * from './port-forward.js';
export { isStreamingUpgrade, portsFromQuery, servePortForward, serveRemoteCommand } from './serve.js';
export { settleWithin } from './wait.js';
