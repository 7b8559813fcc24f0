from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "cc_agents" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(64) NOT NULL UNIQUE,
    "contact" VARCHAR(255) NOT NULL,
    "type" VARCHAR(16) NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "status_changed_at" TIMESTAMP NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
        CREATE TABLE IF NOT EXISTS "cc_queues" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(64) NOT NULL UNIQUE,
    "strategy" VARCHAR(40) NOT NULL,
    "moh" VARCHAR(255) NOT NULL,
    "tier_rules_apply" INT NOT NULL,
    "tier_rule_wait_second" INT NOT NULL,
    "tier_rule_wait_multiply_level" INT NOT NULL,
    "wrap_up_sec" INT NOT NULL,
    "no_answer_delay_sec" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
        CREATE TABLE IF NOT EXISTS "providers" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(64) NOT NULL UNIQUE,
    "host" VARCHAR(255) NOT NULL,
    "codecs" JSON NOT NULL,
    "route" VARCHAR(32) NOT NULL,
    "max_cps" INT NOT NULL,
    "enabled" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
        CREATE TABLE IF NOT EXISTS "cdrs" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "uuid" VARCHAR(64) NOT NULL UNIQUE,
    "call_id" VARCHAR(255),
    "direction" VARCHAR(16),
    "node" VARCHAR(255),
    "campaign_id" VARCHAR(32),
    "list_id" VARCHAR(32),
    "lead_id" VARCHAR(32),
    "trunk_id" VARCHAR(64),
    "queue" VARCHAR(64),
    "agent_id" VARCHAR(64),
    "start_at" TIMESTAMP,
    "answer_at" TIMESTAMP,
    "end_at" TIMESTAMP NOT NULL,
    "duration_s" INT NOT NULL,
    "billsec_s" INT NOT NULL,
    "progress_ms" INT,
    "early_media_ms" INT,
    "queue_wait_ms" INT,
    "hangup_cause" VARCHAR(64),
    "q850" INT,
    "sip_status" INT,
    "caller_id_name" VARCHAR(255),
    "caller_id_number" VARCHAR(64),
    "destination_number" VARCHAR(64),
    "recording_url" VARCHAR(1024),
    "amd_label" VARCHAR(16),
    "amd_confidence" REAL,
    "amd_latency_ms" INT,
    "outcome" VARCHAR(16) NOT NULL,
    "disposition" VARCHAR(16),
    "network_addr" VARCHAR(64),
    "read_codec" VARCHAR(32),
    "write_codec" VARCHAR(32),
    "document" TEXT NOT NULL,
    "received_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_cdrs_end" ON "cdrs" ("end_at");
CREATE INDEX IF NOT EXISTS "idx_cdrs_trunk_end" ON "cdrs" ("trunk_id", "end_at");
CREATE INDEX IF NOT EXISTS "idx_cdrs_campaign_end" ON "cdrs" ("campaign_id", "end_at");
CREATE INDEX IF NOT EXISTS "idx_cdrs_agent_end" ON "cdrs" ("agent_id", "end_at");
        CREATE TABLE IF NOT EXISTS "cdr_dead_letters" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "received_at" TIMESTAMP NOT NULL,
    "client_ip" VARCHAR(64),
    "content_type" VARCHAR(255),
    "query_uuid" VARCHAR(64),
    "reason" VARCHAR(500) NOT NULL,
    "body" TEXT NOT NULL
) /* A CDR post refused as malformed: kept whole, with the reason, for an admin to see. */;
        CREATE TABLE IF NOT EXISTS "cc_tiers" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "level" INT NOT NULL,
    "position" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "agent_id" BIGINT NOT NULL REFERENCES "cc_agents" ("id") ON DELETE CASCADE,
    "queue_id" BIGINT NOT NULL REFERENCES "cc_queues" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_cc_tiers_queue_i_99f284" UNIQUE ("queue_id", "agent_id")
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "cc_tiers";
        DROP TABLE IF EXISTS "cdrs";
        DROP TABLE IF EXISTS "cdr_dead_letters";
        DROP TABLE IF EXISTS "cc_queues";
        DROP TABLE IF EXISTS "cc_agents";
        DROP TABLE IF EXISTS "providers";"""


MODELS_STATE = (
    "eJztXe1zmzge/lc8/tSbyXUS56W9nZubcRJ3N7tp0kvSu53t7DAyyLY2GCiIJm6v//tJ4h"
    "0kgig4WNGnxEgPiOcnpN+bpG/jtWtBO3h9BtYeQEtn/NPo29gBa0j+qZTtjcbA87ISegGD"
    "uc0qm3EtdhXMA+wDE5OCBbADSC5ZMDB95GHk0oc4oW3Ti65JKiJnmV0KHfQ5hAZ2lxCvoE"
    "8KPv1JLiPHgo8wSH5698YCQdsqtBdZ9NnsuoE3Hrt2ipYXDn7H6tIHzg3TtcO1k9X3Nnjl"
    "OikAOZheXUIH+gBD+gTsh/QNaAPjt01eKmpsViVqZQ5jwQUIbZx747mRXRsbxtX1nXE7uz"
    "OMsQRHputQfklTA0bAkjbh7/+YTA4P30z2D0/eHh+9eXP8dv8tqcvaWy168z1qTMZWdCvG"
    "2cXPF1d3tEEuEWIkXnrhO8MADCIUE0bGPvtb4f9sBXw++0n9Ev/kxcr8J2zXCSC5kEkg63"
    "jbEMEaPBo2dJZ4RX5O9vdr6P3P9Obsl+nNK1Lrb0WSr+KiSVRG+c74ZQRJ8JvUV5Dfg5MG"
    "9B6cCNmlRUVybRRggzd+iPnNQVSkuFEXPqjpwgfVLkzeM5TqwylAM9yMYTLtOPeG59rI3F"
    "SJ/vX2+kowWJRwJb4tZOLR/0a0y+8g7zU0U0bonddB8NnOs/vq/fT3MvFnl9enjBw3wEuf"
    "3YXd4LQkBA+YtDkV+t/ZLhCoIhmkxPyCYtTi/Pz64+nlbPThZnZ2cXsR87+J+Y8K6SVyAW"
    "HGwc1selmimH5J5go4TqyGFokWanxl2NO63w5QHat/k4OjN0dvD0+OUq0vvVKn7CWKXcYt"
    "mAPHIqyYwJPqwyWc7shNOjJYc5QO8TgdV9fD848Mzz6khKEvHFVEzHwRpQXwAwIIMMAhZ9"
    "gW64EZoi9FcKv2es/GjOlDyoURjbdFjs9JCUZryOe5iCx38hj6OvlnB7v6mLygde3Ym1jk"
    "NdTfXbyf3d5N338o9P/z6d2MlkyKg3189VVZTOlNRv+9uPtlRH+O/ri+mpU/k7Te3R9j2i"
    "YQYtdw3AcDWLnemVxNWCtIPfSsllIvIrXUhyL1hKOc2FnrqQN0cZ9zwtELc2DePwDfMiol"
    "7sQV1a0WrSfr8hXggCWTGSWXNjP2C089dOfeQ67POC3bq/MZAw8ZmFbTTmPtNH7pTuNe/E"
    "G+a0vxm9RXkd/O9Sw2dBkrEKyk/PIFVDdEP+9IUqD55KgBzSdHQpppUcVeW6BHGYozhO7H"
    "2l54gZpjE3sBPnqI3K2F1IvIDqQeN3coQt8RIXPMg6qUffiFzDdtvu0iUkt5aFIeihUYWg"
    "jPHOxvxjw7MCvdq7UEaT0DkooI9m8MfiIP9kmpkeRIxD+JbfenNhQHaSjKj1/b1Em2KY9d"
    "H7cK0S8Tu76MZp8C1IsD9JI0xvgyECeQ+wTHMaYVzQOb6Is0Hx03YPnoWEgyLapwTFskx3"
    "CMUK8b95PWVJyuG7taijAFnQHHTcg+FnN9LKJaLheyAFKQ5l46tQUxQLz0pTv4KNApcxAl"
    "WK7TZWa/3xXUmErmQarKXF5f/ZxUL6cjlDIP3NA3pYaQDKEE4X27En1our4FLWPOST+tCT"
    "sUYQpS3Zl2NxCz/xKConmcv75XZ+rbpEYPJv6ncZJ95ZG+AyNDPmfzfxtnb5bP3bcQiHoQ"
    "RfrI9RFmfdAhg7ABMIZrj/4d09vBR48YPwFpXUpQ5h2gwiZvZqxcz4Oswyb9d8yg5F3Zj+"
    "/awzBID0PUbSQGrRSg4HDV/cwAbGwwxg6kLKUCSj1rtEeeJ614nmiem/G8QD6ZQ2TzV4oo"
    "BXnuw1CyQQumCyBNdCOiaZq1nHWUANQjeNJEXRcr6xW3ClrDr5IKRh6jHsHdJwp9lfNzf1"
    "XVxX3QbGioGRnKzDouhlKOqhSgArtb91INcH2MUrpb3uYvmduuS6x4R+B9zbsKijzPCW4H"
    "ia4zoq+vLws9+/Si3HU/vj+dEeYZ8dkix+qC0rxbpUj37RrYttC/kceptFL3cPLmJHVt0B"
    "91zozb99PLyyqnZfdUhdr65AgOXGd4DTpTIpKVzGL3PGR7n89+v99Od6vcY3aM+cawUEDk"
    "hfhh/JrF2OJbbH998Pifi9BheQWjeYhsjJzgNX3sv8bb/7p6WTXMDPpaST3hDKgX0U5qpn"
    "0rSmjtuT42/nLn3ISA2uBEGdpqCBoa31uMVOj1GS97fYZez62a1DmKXtz6BhvR1Y214q3o"
    "dtpO2sIwW8mmKEqiKoZ3rg/R0vkNbpgoLki7gcNNEMolRFzu9L4w2dVs5PLBQ5rAkO9+5P"
    "3JW8PIE3A2vT2bns+ijAd+ikpG94rcxPU5PoLTGPjutxtoA4H2liN7GmnlCvH9ve9EnoQy"
    "QT5PjtH6tB4jb3L2uoKnmM1DHx31v+aJOmlb2S/2KjpdZ2Cj895InK6T7DctmalcgqlnBB"
    "42CVweiiOXh5XQZUubuwtze2gjdN/2to6zbTXOZq6gFdqtbKwyVnvPh2NUVW1pnfffd9bh"
    "4BZyqpDrX4xXyA5Ryrp/VBqZcraLhL8nA2l/T2f+ntgM7MDfs4MiaOzrybqerK+nby8G87"
    "IJXBiJB+4J/wX1ZOm9KF+oR0HvRdmvBuND7G8MnxhNHBNXnGVRgunMino7uEVmhY4viz+L"
    "3Yw06vjyS5S6KL4ssWS8qA5zxmnZaNwOSv9ZwnDnjnkVrudMX6xosFlhrQprOabhsHq9rK"
    "9P1zsHputVF9hrrXaQWq1e1t6r4zP6FiToTQEK0tt97JFMxIFc2DFDqBAS24JZlujwcjv2"
    "FFEK9uVeudaWlio6t8jSktC5+1QrL1gW/q/unKdWZoW1amWWya9doy9UidRZyc+2+GOByJ"
    "QkvctMhlFxaj5usocvqSWemo8ru/h6AEsd45PUV5Dfg/1Jk705aLWaPSQmlf05hrivgUrn"
    "fs43GAZkdsXAlhupS0BlFgtveaiOaLS4/pan6bf4bhfNfkP2ffehDfkFmOa+HffANKFHCZ"
    "KiPo/SzLfs9fAvaEozn0dp5tsxb4WejUzATdiv476I0+y3ZN8xjRXi7YdSy30OpZn/sRGH"
    "7noics/XZfPw0Dqpp+DK7CKpB/o+LyNfvJQoBagQN9n2UiIdRNFBlCGwr1YQpeQ88ttJvY"
    "jUC/WGk51WlfICOShYtRJzCarlPGQ5ryD5JudkNG4h6DJWS3pokh5U8PuGWRxjYfw7Lt9r"
    "EAKPjJdekiuzffJ8wm+UxalTLIdkAYuj4222R/zBfREHp3g+l8s/+VSkyC/itAB+wBe05f"
    "TMwdHec/6rjXjxLLETJ6mvBLnbcOIMRFWZEtFwdZSooFY5MU0D0Fo6O++F6h/Pu3D5eQXQ"
    "85FC5HEYmBwTtcapm0GUGIW3kHvHCJKgOKmvIL89rFAaYNadggQb5go4y7YO6uoNFIxO7L"
    "pbSwehmn1v6gah9J4Jqkmd87G33zMBo3jpfckSktgz4Q7BXZxjn2XPhH+HkL17xWiOCvae"
    "MJo/01raaNZGszaauzWa6bMwXEqlQuUxClodR03yoI7EaVBHlSyotSu1XC2uriC1/XgkyD"
    "Qc7TlnkDnE5h1LUndSLA+uT4xtfmJsyp/xABA2AkhawZkthVOlEK9SrK+zozBLbK1JYxHp"
    "tOQT+wJ5Kwkb9XzRvfRn0PwzePCBZ4Qe7b8Snb+E0l2ew6zjGsAJHkhfJZYB2EgyLEBrpv"
    "XhlVJU76bLRDvKXqLUtaNsdx1ljCuOnyzhsNZNlsqq65TXz6mXjuW46GTXnfCbCYyCmrNK"
    "+Iq/1o7oFfHBekJCaw7V05xqjVNF3aOJxskmEek0/DxKpY9py3ngbCqXJj+P0uRLkV/Ruk"
    "uyqApC+iCrNIi6Y0IQadh7pZOs8r2Pf5RVZXjpgNU0n1tRVvMD6pAOCPvgu1+QxTeD0rK9"
    "OlPIi2vpjIEXavnojIHeMgZWbiCVY5/U1+HsZuFskwxnptSpaxli+3szPU/crpddmHw3xF"
    "KDRgpQsGt3vzyS3t70OB1bOCXmECqZHJ05T6BDX5SnZ9RF/XMoHd9vHt/Xnipxv1bXU6Vj"
    "o6pJvYPYaJ+275nFNXvp5b3a4J+1BWP32zh7CzKPsM5Nq8BHj5AfkAekL5iZwWQOJ20zYJ"
    "TUl3wBYwYjTWU/2DeXuzeRiHMfeyYknxNBpZ5mgrUH0NJp98AULfXMvO9F8oERtP5p2i0x"
    "SLdEGPL4F1sYSX3tlnjSLWEC2+ZGNWpW/2cQFfbR3YJvwkI+NPkxcDHNBZB6RHe/SN0h07"
    "uU8zKurx63/TjYitN989GiAFOP7D52xBIcRSdmWXwQnWaYxzCxwWQZziCa4acZzpsiTSnO"
    "Y9TjuHvdTZAGISY4BWh2n2ZXnG0lJrgm10pzzF1GDfw2+2PncXpv7OG4BDk5i9EiMnkRF4"
    "BaxkOWceyIkxRwhlLQy6+SeK3QZwuVDJkgdBGk49C8s1SRTVpvStFawGhWectNfJd2/sBY"
    "y/BaQrVidmAzTOdpE8C3N8YaWgjIcVsFanpF6wuiHSVk2K3gNLlVcum2o6FnmCAMpAzmMk"
    "7bdA28Em+P92X6b1xdd9tqtw2QZ4j2NhYSWgRpWjk5acC2iWmJLEM2372KVG9E6Cl4lBIn"
    "OMymEemiA20UoL37gZg0CyMnssLkWeejNe9P8+5D0/Ut0gIj9DnbCNQdHFQCqsf2wf6kCd"
    "+0mjjyzwpLzvq1ZRACeNs21Hjr8yAFue48w4ISRh65QBaMV4CWloraLhCtQq9AS4QvKHb3"
    "KK+h+Pz64+nlbPThZnZ2cXsRr7xJPXuskF7KsudvZtNLbr/GhLONnFlYBWpNsKoJuiE2XT"
    "kVMAdRcP1S92OGhQLxDjB12W9BzS4wenTm5b9B/OD699S1L6XplXHqcd2HjgfofGbx9tSs"
    "PRkyh1KP5+7TiB58MjfKE12CaaafZpq0IFxzNwARH8WZxygxGdaFbbs6jrNkKkL0pdVCuR"
    "JUx9AHF0MfztK4czLvXEKM+XvDFCvsPbFcjsiZTGI2q9xs6dx4Ojo7vxlRSkc+XIQBtEYg"
    "GK2BvXD9NbR+Gt1DD48eVq5NwA8Ir0Z4BUfRMcp7I1JpBJwRsNbIGWF3FED4elzqQD09Qu"
    "9js6MLxvS4qvC4Wogr2Ihl3HpSAYU8SD3dsJ8jgiljjCQZoks49bjuJVhG3tPfGLKLXoso"
    "9ajuxYgP5LxSGUIJc6dI8PF+kxO8SC0hxayslOToWpyTpcQmZVJfCX63YU4OxMqYQh+Zqz"
    "HHvIhLau0KkNUZzK6TL0VV/8FgilgJ/0IMREmvfw6ixACwBWWBflQSDMfVFWT3oNH0dVAz"
    "fR1Up69Yg60yXLetZArR+0pK7iv5rJPZ9/8D3bbr0Q=="
)
