# syntax=docker/dockerfile:1
# One Derbel api node. The server is TypeScript run by tsx (a production dependency), so only the
# web front end is built; the runtime stage carries production dependencies and the sources.

# ---- deps: every dependency, dev ones included, for building the front end
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- web: the Vite build of the Lit components into web/dist (a no-op until build:web exists)
FROM deps AS web
COPY . .
RUN npm run build:web --if-present && mkdir -p web/dist

# ---- runtime: production dependencies only, running as the unprivileged `node` user
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/derbel
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Sources stay owned by root: the process can read its code but not rewrite it.
COPY . .
COPY --from=web /app/web/dist ./web/dist
# attachments/ is where compose mounts the shared volume of uploaded files; a new volume copies its owner.
RUN mkdir -p "$DATA_DIR/attachments" && chown -R node:node "$DATA_DIR"
USER node
EXPOSE 3000
# No curl in the slim image; Node 20's global fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same entry point as `npm start`, without npm in between, so SIGTERM reaches the node
# process directly and it can drain (close sockets, release the projection lock) before exiting.
# Its V8 flags are infrastructure/cli/node-flags.ts's: a larger young generation, for fewer collections,
# and no memory reducer, whose whole-heap compactions paused a reconnect storm's survivor.
CMD ["node", "--max-semi-space-size=64", "--no-memory-reducer", "--import", "tsx", "infrastructure/cli/start.ts"]
