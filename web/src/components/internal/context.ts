import { createContext } from '@lit/context';
import type { DerbelClient } from '../../client/derbel-client.js';

/** The client every component talks through (who is signed in too: `client.session`); `<derbel-app>` provides it, embedded elements make their own. */
export const clientContext = createContext<DerbelClient>(Symbol('derbel-client'));
