# The Tributary image: one image, every role (`tributary run producer|processor|sink …`).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
ENV NODE_ENV=production METRICS_PORT=9464
EXPOSE 9464
ENTRYPOINT ["node", "bin/tributary.mjs"]
CMD ["--help"]
