/** Every socket of a user joins this room, on whichever node it is connected. */
export const userRoom = (userId: string) => `user:${userId}`;
