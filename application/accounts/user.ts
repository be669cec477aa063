/** A user as the API shows it to other users. */
export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
}
