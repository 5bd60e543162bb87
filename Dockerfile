# syntax=docker/dockerfile:1
# Multi-stage build: compile native modules and generate the Prisma clients in a build stage,
# then copy only what runs into a slim image that runs as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
# Plain JavaScript in dist/ (scripts/build.mjs): the image runs node alone, no TypeScript loader.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself is the process (not npm): SIGTERM reaches the server's graceful shutdown.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "--v8-pool-size=1", "--enable-source-maps", "dist/main.js"]
