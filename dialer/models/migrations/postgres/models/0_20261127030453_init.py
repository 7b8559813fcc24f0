from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "campaigns" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(200) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "list_id" VARCHAR(100) NOT NULL,
    "queue" VARCHAR(100) NOT NULL,
    "trunk_policy" JSONB NOT NULL,
    "pacing" DOUBLE PRECISION NOT NULL,
    "max_channels" INT NOT NULL,
    "abandon_cap" DOUBLE PRECISION NOT NULL,
    "amd" JSONB NOT NULL,
    "predictive" JSONB NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_campaigns_status_a81f7d" ON "campaigns" ("status");
CREATE TABLE IF NOT EXISTS "api_tokens" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "role" VARCHAR(16) NOT NULL,
    "token_hash" VARCHAR(64) NOT NULL UNIQUE,
    "prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ,
    "revoked_at" TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS "audit_entries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "at" TIMESTAMPTZ NOT NULL,
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
    "id" SERIAL NOT NULL PRIMARY KEY,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSONB NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztmltz2jgUgP8K46fsTLYTCJDsvgGhLTsJdBLvbqedjkbYAjTYkmvLKUw3/30lXzDyLT"
    "YFCq6fEs7Flr9zJJ8j67tiUh0ZzpsBNC2I50T5s/FdIdBE/J+E7rKhQMuKNELA4NTwjLXA"
    "ypPCqcNsqDGumEHDQVykI0ezscUwFTchrmEIIdW4ISbzSOQS/NVFgNE5Ygtkc8XnL1yMiY"
    "5WyAl/Wksww8jQpfFiXdzbkwO2tjzZiLC3nqG42xRo1HBNEhlba7agZGONCRPSOSLIhgyJ"
    "yzPbFcMXowseNXwif6SRiT/ELR8dzaBrsK3HnYJIpgAwnqjgaagCoJQApFEi4PKhOt7Tz8"
    "UQfm812zft2+tu+5abeMPcSG5e/FtHYHxHD89YVV48PWTQt/AYR1C9vwmsgwW007mG9jGy"
    "fMhxsiHHPLShIGIb5dMx4JpwBQxE5mwhiF5d5aD8p/c4eN97vOBWv4lbUj4B/KkxDlQtXy"
    "d4R3w9QCX4hvYV5NvsFsDb7GbSFSoZroEdBtKWhWy+Wy5VRFwohZs5KdxMpjB/TrdUDm8c"
    "asLFCPMXClkCixpYWydB//U0GWcsFjG/GG8da6zxX0Ok/Blyz8EsiIgrm47z1dime/HQ+x"
    "gHP7if9D041GFz27uKd4F+LAgW1MRwEvjfGhRmFBmRS4z8TPhUi/nd5O/+/bDx4XE4GD2N"
    "Av7rgL+vFCIuwMxj8Djs3ccQi5mkLSAhQXVZsJaLu71e1Z0B6v0UdhFbOIVE51Q0aJXK4Z"
    "hfnchFEhmaKUVH9jodmNfL848szzYSwPBzSimSTV72qgPwAwFwGGRuyrKdXQdGHocqBI/a"
    "iR+4mdFsJFgAf72VGd9xDcMmSucse8aTPHB9E/5zhqmu8AfUJ8RYByHPQa+OHoZPau/hg5"
    "T/dz11KDQtebEPpBfxMG0u0vh3pL5viJ+NT5PxMD5NNnbqJ0WMCbqMAkK/AahvZWcoDalJ"
    "UXctfceoy5511E8l6iGjrbB7oxf7mrPl1iacEEyhtvwGbR0kNLRFs2yTKrNlxiWQwLkXMw"
    "FXDDPY7u1ZWKVLlLoVvNFd5m0FQwsDJszqveB6L7je5sl6wSe3eWxqlOIb2leR797LJ29F"
    "AgvoLEptt0te+wH9c9cICXO3XQBzt52JWagSbdgMr8ogjjzqPK7bgF+wICzSBqCVhfnVdo"
    "i67LmHqAfDPZWgn0mQU6r+ZJRt9MzfN7vMbdmzjvKpRflUmjtXx2xImL1W0tq7SHuZ2+AJ"
    "O4C4IUaH7/E+8xvbXAvCow/BT961fSnV//Xx/FdpAf9ota6vb1pX193bTvvmpnN7tekFk6"
    "q8prA/eif6QmmuvN4oll+/jlmTHDMe575uSR+1NEbtMpX9xqF62/sHOQvm8QI45fvsK4wD"
    "n50wn9iLXsbc7hSg3O5kQhaqBGMxonKEA4/qpfFhTivJr+vCWy2yWwU3AzpFYHeyWXeyUJ"
    "c74ig5VRDzQZJaRwzitFNJKlpl1JRbLpWgnFfLDD+qUhmTOFCwKWXuJ+N3oXn8lEHsQAF1"
    "ba3UEhJ5VAL4obcSbaRRW0c6mKacKs357CC7VRD13qq7U2n7kY21hZLW8vuay9x2P7Kpv+"
    "UeLSEP/C33GdlOyUJ4y6WKc75TpNfgVtlzvpPsNqxyzZy1ex932nQPUpPxOzJEUvaass97"
    "brnUhz1LHvb8qS+zl/8BVIGlfg=="
)
