// The full app: everything `<derbel-app>` needs, defined on load.
import './components/derbel-app.js';
