import { createContext } from '@lit/context';
import type { DerbelClient } from '../client/derbel-client.js';
import type { SessionState } from '../client/session-state.js';

/** The client every component talks through; `<derbel-app>` provides it, embedded elements make their own. */
export const clientContext = createContext<DerbelClient>(Symbol('derbel-client'));

/** Who is signed in; provided by `<derbel-app>` next to the client. */
export const sessionContext = createContext<SessionState>(Symbol('derbel-session'));
