# The replicator service image (used by docker-compose.yml). Not built in our CI (no Docker engine there).
FROM node:20-bookworm-slim
WORKDIR /opt/redis-mq-replicator
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# only src/ is needed at run time: tsconfig.build.json compiles it alone into dist/src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev
COPY bin ./bin
COPY conf ./conf
COPY schema ./schema
VOLUME ["/opt/redis-mq-replicator/data"]
ENTRYPOINT ["bin/start.sh", "--foreground"]
