/**
 * The embeddable elements, for pages on other origins:
 *
 *   <script src="https://derbel.example/embed.js"></script>
 *   <derbel-conversation server="https://derbel.example" contact-id="…"></derbel-conversation>
 *   <derbel-call-button server="https://derbel.example" contact-id="…"></derbel-call-button>
 *   <derbel-new-group server="https://derbel.example"></derbel-new-group>
 *
 * `<derbel-conversation>` shows a group as well (its members panel is `<derbel-group-members group-id="…">`).
 * `<derbel-search server="…">` searches messages; on `derbel-search-result` the page shows the conversation
 * (`contact-id`) and calls its `revealMessage(messageId)`.
 *
 * Each element without a `<derbel-app>` around it uses one shared client per `server`, signed in
 * with the Derbel session cookie (or shows the sign-in form), and one call overlay on the page.
 */
import './components/derbel-add-contact.js';
import './components/derbel-blocked-users.js';
import './components/derbel-call-button.js';
import './components/derbel-call-log.js';
import './components/derbel-call-overlay.js';
import './components/derbel-connection-banner.js';
import './components/derbel-contact-list.js';
import './components/derbel-conversation.js';
import './components/derbel-group-members.js';
import './components/derbel-new-group.js';
import './components/derbel-notice.js';
import './components/derbel-search.js';
import './components/derbel-sign-in.js';

export { DerbelClient } from './client/derbel-client.js';
export { standaloneClient } from './components/internal/standalone.js';
