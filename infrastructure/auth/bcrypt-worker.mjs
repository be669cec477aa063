// Runs in a worker thread (piscina): bcrypt is CPU-bound and bcryptjs is plain JavaScript.
import bcrypt from 'bcryptjs';

export function hash({ password, rounds }) {
  return bcrypt.hashSync(password, rounds);
}

export function verify({ password, hash }) {
  return bcrypt.compareSync(password, hash);
}
