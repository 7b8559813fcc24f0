from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "lead_lists" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "retry_rules" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
        CREATE TABLE IF NOT EXISTS "dnc_numbers" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "phone" VARCHAR(16) NOT NULL,
    "scope" VARCHAR(32) NOT NULL,
    "reason" VARCHAR(200),
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    CONSTRAINT "uid_dnc_numbers_phone_d32234" UNIQUE ("phone", "scope")
);
        CREATE TABLE IF NOT EXISTS "import_jobs" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "list_id" BIGINT NOT NULL,
    "filename" VARCHAR(255) NOT NULL,
    "path" VARCHAR(1024) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "bytes_total" BIGINT NOT NULL,
    "bytes_done" BIGINT NOT NULL,
    "rows_done" BIGINT NOT NULL,
    "accepted" BIGINT NOT NULL,
    "rejected" BIGINT NOT NULL,
    "duplicates" BIGINT NOT NULL,
    "dnc_hits" BIGINT NOT NULL,
    "rejected_by_reason" JSONB NOT NULL,
    "error" TEXT,
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "started_at" TIMESTAMPTZ,
    "finished_at" TIMESTAMPTZ,
    "heartbeat_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_import_jobs_status_1b9000" ON "import_jobs" ("status");
        CREATE TABLE IF NOT EXISTS "import_rejects" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "job_id" BIGINT NOT NULL,
    "row_number" BIGINT NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "line" TEXT NOT NULL,
    CONSTRAINT "uid_import_reje_job_id_475f0b" UNIQUE ("job_id", "row_number")
);
        CREATE TABLE IF NOT EXISTS "leads" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "phone" VARCHAR(16) NOT NULL,
    "alt_phone1" VARCHAR(16),
    "alt_phone2" VARCHAR(16),
    "first_name" VARCHAR(100),
    "last_name" VARCHAR(100),
    "state" VARCHAR(2),
    "timezone" VARCHAR(64),
    "zip" VARCHAR(10),
    "notes" TEXT,
    "status" VARCHAR(16) NOT NULL,
    "dialable" BOOL NOT NULL,
    "priority" SMALLINT NOT NULL,
    "next_attempt_at" TIMESTAMPTZ,
    "attempts" INT NOT NULL,
    "attempts_by_disposition" JSONB NOT NULL,
    "last_disposition" VARCHAR(16),
    "import_job_id" BIGINT,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "list_id" BIGINT NOT NULL REFERENCES "lead_lists" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_leads_list_id_f780a9" UNIQUE ("list_id", "phone")
);
CREATE INDEX IF NOT EXISTS "idx_leads_hopper" ON "leads" ("list_id", "dialable", "priority", "next_attempt_at");
CREATE INDEX IF NOT EXISTS "idx_leads_phone" ON "leads" ("phone");
CREATE INDEX IF NOT EXISTS "idx_leads_import" ON "leads" ("import_job_id");
        CREATE TABLE IF NOT EXISTS "lead_attempts" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "campaign_id" VARCHAR(32),
    "disposition" VARCHAR(16) NOT NULL,
    "notes" TEXT,
    "scheduled_at" TIMESTAMPTZ,
    "source" VARCHAR(16) NOT NULL,
    "actor" VARCHAR(200) NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "lead_id" BIGINT NOT NULL REFERENCES "leads" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_lead_attempts_lead" ON "lead_attempts" ("lead_id", "at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "lead_lists";
        DROP TABLE IF EXISTS "leads";
        DROP TABLE IF EXISTS "lead_attempts";
        DROP TABLE IF EXISTS "dnc_numbers";
        DROP TABLE IF EXISTS "import_rejects";
        DROP TABLE IF EXISTS "import_jobs";"""


MODELS_STATE = (
    "eJztXWtv2zgW/SuGP3WBbJE4r+5isYCTuDOeceJB4tkdTDEQaIm2OZEljUS3cbv970tST0"
    "qiIiqWIzP81Jrkkahzqav7IvOtv3YtaAfvr8HaA2jp9P/Z+9Z3wBqS/xT6jnp94HlpD23A"
    "YG6zwWY0irWCeYB9YGLSsQB2AEmTBQPTRx5GLr2Js7Ft2uiaZCBylmnTxkF/baCB3SXEK+"
    "iTjk9/kGbkWPAJBvFP79FYIGhb3HyRRe/N2g289VjbFVqOHfyRjaU3nBuma2/WTjre2+KV"
    "6yQA5GDauoQO9AGG9A7Y39AnoBOMnjZ+qHCy6ZBwlhmMBRdgY+PME8+NtK1vGHfTmfEwmh"
    "lGX4Ij03Uov2SqASNgSafw938MBqenl4Pj04sP52eXl+cfjj+QsWy+xa7L7+FkUrbCSzHO"
    "xj+M72Z0Qi4RYihe2vCdYQAGIYoJI2Wf/Vvg/3oF/HL24/E5/smD5fmP2a4SQNyQSiBdeP"
    "sQwRo8GTZ0lnhFfg6Ojyvo/c/w/vrH4f07MupvPMl3Udcg7KN8p/wygiT4jccryO/JRQ16"
    "Ty6E7NIunlwbBdgo0x9ifjMQFSmutYRPKpbwSXEJk+fcSK3hBKAZrscw+ew4j4bn2sjcFo"
    "n+6WF6J1AWOVyObwuZuPe/Hl3yB8h7Bc2UEXrldRD8ZWfZfXc7/C1P/PVkesXIcQO89NlV"
    "2AWuckLwgEmnU6D/o+0CgSmSQnLMLyhGLc5vpr9eTUa9X+5H1+OHccT/NuI/7KRNpAFhxs"
    "H9aDjJUUzfJHMFHCcyQ3mihRZfHva87XcAVEfm3+Dk7PLsw+nFWWL1JS1Vxl5s2KXcgjlw"
    "LMKKCTypNZzD6YVcZyGDdYnRIdbT0XCtnl+inn1ICUOfS0wRMfM8SgvgBQIIMMCbErUttg"
    "NTRFuG4F799ZadGdOHlAsj1Lc8xzekB6M1LOeZR+YXeQR9H//nAJd6nzygNXXsbSTyCupn"
    "49vRw2x4+wu3/m+GsxHtGfDKPmp9lxdTcpHef8ezH3v0Z+/36d0o/5ok42a/9+mcwAa7hu"
    "N+MYCVWZ1xa8waJ/WNZzWUOo/UUu+K1GOOMmJns6cB0MVjJghHG+bAfPwCfMso9LgDVzS2"
    "2LUerPMtwAFLJjNKLp1mFBceemjmPsLSmHHSd1QVMwYeMjAdpoPGOmj81oPGrcSDfNeW4j"
    "ceryK/O7ezmOoyViBYScXlOdRuiH5dTcLRfHFWg+aLMyHNtKvgry3QkwzFKUKvY+0vvEHL"
    "sY6/AJ88RK7WQOo8cgdSj6bbFaEfiJBL3IOilH34mXxvmrzbPFJLuWtS7ooXuLEQHjnY3/"
    "bL/MC096jSE6TjDEgGIti+M/iJ3NgnvUZcIxH9JL7dH9pR7KSjKK+/9mmT7FMeh663uOyX"
    "iV1fxrJPAOrlAVopGmN8GagkkfsMxxGmEc0d+9DzNJ+d12D57FxIMu0qcExnJMdwhFBvGb"
    "dT1sR/rmuHWniYgsGA8zpkn4u5PhdRLVcLyYEUpLmVRW1BDFBZ+dIMPglsygxECZarbJnR"
    "bzPOjClUHiSmzGR690M8PF+OkKs8cDe+KaVCUoQShLcdSvSh6foWtIx5SflpRdqBhylI9c"
    "6su464/RMIePc4235U5erbZEQLLv6nflx95ZG1A0NHPuPzf+unT5at3bcQCFcQRfrI9RFm"
    "a9AhStgAGMO1R//t08vBJ484PwGZXUJQGh2gwiZPZqxcz4Nswcbrt8+g5FnZD/a+ZOYSTb"
    "fu5cPhta+O1p7rY+NPd86iG3XvEsIqbqPDJJ0MkySro3aqLAYoqHN3/3kDNg5fwBMpd49D"
    "qedSt8jzoBHPA81zPZ4XyCcfQtkiHB6lIM9teHs2aMA0B9JE1yKa1orLuXgxQD2CB3V8Dr"
    "HHUYgNoTX8KmlgZDHqEbz7aqevcsH6r6rG6U/qqYYKzZBn1nExlIq2JQAV2N17qK2Dm3yU"
    "st2ygYucu+26xIt3BCHkbLyD53lOcAdIdJUTPZ1OuJV9Nc4v3V9vr0aEeUZ8ulOzuCs2Gx"
    "vi6X5YA9sWxjeyOJW2G58OLi+S0Ab9URXMeLgdTiZFTvMxtgK11RUeJXBdptbpco9QVjI7"
    "9rOQ/b0+x+2+O7vbqh+xY8y3hoUCIi9UXotQsaNcfIn9b3Lu/2uxcVhxRG++QTZGTvCe3v"
    "bf/f2/Xa1sfWYOfaWkngkGVIvoIC3Ttg0lPgVStJaqkhN5aCMV1DW+95ip0JtM3vYmE70p"
    "XTWplxh60exrnKZXpWvF5+kdtJ+0BzVbKAnhJVEUw0fXh2jp/Ay3TBRjMm/glFY5Zao6Jg"
    "d9uE3ammouH3xJChiyy488P3lqGEYCrocP18ObUVjxUF5nk9K9Ihdx/ZIYwVUE/PjzPbSB"
    "wHrLkD0MrXKF+P7edjVSTJmgKCnDaHVtkpF1OVvdhsSXJNFbh+uvfrVRMlf2iz2KLtfpmH"
    "Y+6onLdeJDsyXLrXMw9ZzA0zqJy1Nx5vK0kLps6HPvwt3umoZu29/Weba95tnMFbQ2diMf"
    "K4/V0fPuOFVFX1pvXmi76rBzu1FV2LDA5ytkVZSy4R+VNFPGd5GI96QgHe/ZWbwncgN3EO"
    "85QBHUjvWkS0821tN2FINF2QQhjDgC90z8gkay9IGabzSioA/UbNeC8SH2t4ZPnKYSF1dc"
    "ZZGD6cqKaj+4QWWFzi+LX4vDzDTq/PJblLoovyyx7503h0v0tGw27gCl/yppuBvHvNus58"
    "xeLFiwaWelCWs5puGwca0cEpDsdw5M1yueEqCt2k5atXpbe6uBz/BdkKA3AShI7+5zj+RD"
    "HMilHVOECimxPbhlsQ0vd+wQj1JwLbfKtfa0VLG5RZ6WhM3dplk5ZlX4P7nzMrMy7aw0K9"
    "NKfh0afaNGpK5KfrXNHwtEPknSp8ykGBU/zed1DiImo8Sf5vPCUcQewFJ/iygeryC/J8eD"
    "Omdz0GEVZ0gMCudzdPFcA5X+eOl8i2FAvq4Y2HKaOgdUZrPwnlV1SKNVGm95nn6rPOyi2a"
    "/Jvu9+aUI+B9PcN+MemCb0KEFS1GdRmvmGqx7+CU1p5rMozXwz5q2NZyMTlBbsV3HP4zT7"
    "Ddl3TGOFys5DqeQ+g9LMv0zj0FNPROH5qmqeMrQu6uFCmbso6oG+X1aRL95KlABUyJvsey"
    "uRTqLoJEoX2FcriZILHvnNpM4j9Ua97lSnFaW8QA4KVo3EnINqOXdZzitI3sk50cYNBJ3H"
    "akl3TdKdSn7fM4+jL8x/R/1HNVLgofPSSnFlek6eT/gNqzh1iWWXPGBxdrzJ8YgvPBexc4"
    "bna4X841dFinwepwXwgljQnsszO0d7y/WvNirLZ4mDOPF4JcjdRxCnI6bKEPrIXJUZKVFP"
    "pXkC0jGdKc57K7bHCw8kF1sVn6EfSB65lYEooQD2UPZFXyoJhqPhCrLbyh8UI3fE0Cnx8M"
    "UJogxk/1mh1/mY7Sz/86ofs+//By2F1/c="
)
