const CREDENTIALS_IN_AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)[^@/?#]*@/i;
const SECRET_QUERY_PARAMETER = /([?&](?:password|pass|secret|token)=)[^&#]*/gi;

/**
 * Hides the password in a connection URL (`postgres://derbel:***@db/derbel`), including a
 * `?password=` parameter. Works on text rather than `new URL()` so that URLs the WHATWG parser
 * rejects (an EventStoreDB gossip list `esdb://a:2113,b:2113`) are masked too.
 */
export function maskUrlCredentials(url: string): string {
  return url.replace(CREDENTIALS_IN_AUTHORITY, '$1***@').replace(SECRET_QUERY_PARAMETER, '$1***');
}
