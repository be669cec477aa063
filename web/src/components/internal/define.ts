/** Defines a custom element unless this page already has it (the app and embed bundles may meet). */
export function define(name: string, element: CustomElementConstructor) {
  if (!customElements.get(name)) customElements.define(name, element);
}
