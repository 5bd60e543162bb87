-- CreateTable
CREATE TABLE "UpstreamAccount" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "providerKind" TEXT NOT NULL,
    "authType" TEXT NOT NULL,
    "baseUrl" TEXT,
    "secretCiphertext" TEXT NOT NULL,
    "secretKeyId" TEXT NOT NULL,
    "proxyCiphertext" TEXT,
    "proxyKeyId" TEXT,
    "proxyDisplay" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 50,
    "weight" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'active',
    "statusReason" TEXT,
    "statusUntil" TIMESTAMP(3),
    "hint" TEXT NOT NULL,
    "tokenExpiresAt" TIMESTAMP(3),
    "scopes" TEXT,
    "projectId" TEXT,
    "refreshFence" BIGINT NOT NULL DEFAULT 0,
    "lastRefreshedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UpstreamAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelAccount" (
    "modelConfigId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelAccount_pkey" PRIMARY KEY ("modelConfigId","accountId")
);

-- CreateIndex
CREATE INDEX "UpstreamAccount_providerKind_idx" ON "UpstreamAccount"("providerKind");

-- CreateIndex
CREATE INDEX "UpstreamAccount_status_idx" ON "UpstreamAccount"("status");

-- CreateIndex
CREATE INDEX "UpstreamAccount_tokenExpiresAt_idx" ON "UpstreamAccount"("tokenExpiresAt");

-- CreateIndex
CREATE INDEX "UpstreamAccount_secretKeyId_idx" ON "UpstreamAccount"("secretKeyId");

-- CreateIndex
CREATE INDEX "UpstreamAccount_proxyKeyId_idx" ON "UpstreamAccount"("proxyKeyId");

-- CreateIndex
CREATE INDEX "ModelAccount_accountId_idx" ON "ModelAccount"("accountId");

-- AddForeignKey
ALTER TABLE "ModelAccount" ADD CONSTRAINT "ModelAccount_modelConfigId_fkey" FOREIGN KEY ("modelConfigId") REFERENCES "ModelConfig"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelAccount" ADD CONSTRAINT "ModelAccount_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "UpstreamAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
