from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "campaigns" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "list_id" VARCHAR(100) NOT NULL,
    "queue" VARCHAR(100) NOT NULL,
    "trunk_policy" JSON NOT NULL,
    "pacing" REAL NOT NULL,
    "max_channels" INT NOT NULL,
    "abandon_cap" REAL NOT NULL,
    "amd" JSON NOT NULL,
    "predictive" JSON NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_campaigns_status_a81f7d" ON "campaigns" ("status");
CREATE TABLE IF NOT EXISTS "api_tokens" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "expires_at" TIMESTAMP,
    "revoked_at" TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "audit_entries" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "actor" VARCHAR(200) NOT NULL,
    "actor_ip" VARCHAR(45),
    "action" VARCHAR(100) NOT NULL,
    "target_type" VARCHAR(50) NOT NULL,
    "target_id" VARCHAR(100) NOT NULL,
    "details" TEXT NOT NULL,
    "source" VARCHAR(16) NOT NULL,
    "recorded_by" VARCHAR(200) NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_audit_entri_at_55c728" ON "audit_entries" ("at");
CREATE INDEX IF NOT EXISTS "idx_audit_entri_actor_3f96fb" ON "audit_entries" ("actor");
CREATE INDEX IF NOT EXISTS "idx_audit_entri_action_7b2c7c" ON "audit_entries" ("action");
CREATE INDEX IF NOT EXISTS "idx_audit_entri_target__3e4608" ON "audit_entries" ("target_type", "target_id");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztmltz2jgUgP8K46fsTLYTCJDsvhFCW3YS6CTubqedjkbYAjTYkmvLKUw3/72SL9jyrT"
    "YJKTh+Ap+LLX/nWD5H1g/FpDoynDdDaFoQL4jyd+uHQqCJ+J+U7rSlQMuKNELA4MzwjLXA"
    "ypPCmcNsqDGumEPDQVykI0ezscUwFRchrmEIIdW4ISaLSOQS/M1FgNEFYktkc8WXr1yMiY"
    "7WyAkPrRWYY2To0nixLq7tyQHbWJ7sCi/GhL31bMUFZ0CjhmuSyN7asCUlWwdMmJAuEEE2"
    "ZEhcgdmuuAMxwOBuw5vyBxuZ+KOM+ehoDl2Dxe54BiKZAsBkqoL7kQqAUoGRRongy4fqeA"
    "AWYgh//tXpnJ9fdM7O+5e97sVF7/Lsktt6402rLh79wUS0/FN5zMbvxhNVDIjyIPrhFYJH"
    "zwcy6Ht5wYjoe78p/sMltLPph/YJ/vzGkvxD2kUBCAVRBKLEe4kQmHANDEQWbMkPO2dnBX"
    "j/HdwN3w/uTrjVHzLkSaDq+DrBO+LrAarAN7SvId92vwTedj+XrlDJcA3sMJA1f+TzjbnU"
    "EXGpFG4XpHA7ncL8Pt1KObx1aAiXI8xfO2QFLGpgbZMG/c/9dJIzWST8Erx1rLHW/y2R8k"
    "fIvQCzICLObDrONyNO9+R28CkJfngzvfLgUIctbO8s3gmuEkGwoCaGk8L/1qAwpxSJXBLk"
    "58KnXsyvpx+vbkatD3ej4fh+HPDfBPx9pRBxAWYeg7vR4CaBWDxJ2hISEpShMujcii/p9u"
    "va7whQB+Vfp9296F6e97vbqm8rKSr2wsIuYgtnkOicigatSjmc8GsSuUwiQzOj6MifpwPz"
    "Znp+yvRsIwEMP2SUIvnkZa8mAE8IgMMgczOm7fw6MPLYVyH4ov36npsZzUaCBfDnW5nxNd"
    "cwbKJszrJnMskD1zfhnyNMdYXfoD4lxiYIeQF6dXw7ulcHtx+k/L8eqCOh6ciTfSA9SYZp"
    "e5LWf2P1fUsctj5PJ6PkY7K1Uz8rYkzQZRQQ+h1APZadoTSkJkXdtfQdoy57NlE/lKiHjG"
    "Jh90YvFkDnq9ginBDMoLb6Dm0dpDS0Q/Ns0yqzYyYlkMCFFzMBVwwzWBceWFilK5S5ZrzV"
    "nRatGUMLAybMmkXjZtH4tS8a72U9yKZGJb6hfR35Pnud5U1dYAmdZaV1ecnreUD/3plEwt"
    "zvlsDc7+ZiFqpUvzbH6yqII48mj5t+4RVWjmX6BbS2MD/bDlGXPZ8h6sFwDyXoRxLkjPYg"
    "HWUbPfD3zS7PtuzZRPnQonwoXaCrYzYizN4oWX1gpD0t7ASFHUDcEKP9N4Nf+IVtrgXhHo"
    "ngkPd2X5tG8SAbxerz10vWJC8Zj2Oft6SvXxqjdpXKfutQv+8Ae9k05vECOOND7i8YBz47"
    "YT6wF72MudsrQbnby4UsVCnGYkTVCAce9Uvj/Wxrkl/XpZdaZLcaLgb0ysDu5bPu5aGuth"
    "dScqoh5r0ktY4YxFnbl1S0zqkpYy61oFxUy4w+qVIZk9p5sC1lbqaTd6F5cjtCYucBdW2t"
    "0hQSedQC+L6XEm2kUVtHOphlbD8t+Owgu9UQ9bNVd4fS9iMba0slq+X3NaeF7X5kczAffV"
    "9LI//EfaL5LfoDsp2KhXDMpY7PfK9Mr8Gt8p/5XrrbsKo1c9bufdxh091LTcavyBDJWGvK"
    "3xgac2l2hVbcFfpbX2aPPwEIxrnM"
)
