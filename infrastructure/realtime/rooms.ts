/** Every socket of a user joins this room, on whichever node it is connected. */
export const userRoom = (userId: string) => `user:${userId}`;
/** The users with a socket on this node, from the adapter's local rooms. */
export const usersInRooms = (rooms: Iterable<string>) =>
  [...rooms].filter((room) => room.startsWith('user:')).map((room) => room.slice('user:'.length));
