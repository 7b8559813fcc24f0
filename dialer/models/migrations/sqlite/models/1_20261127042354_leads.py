from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "lead_lists" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "retry_rules" JSON NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL
);
        CREATE TABLE IF NOT EXISTS "dnc_numbers" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "phone" VARCHAR(16) NOT NULL,
    "scope" VARCHAR(32) NOT NULL,
    "reason" VARCHAR(200),
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_dnc_numbers_phone_d32234" UNIQUE ("phone", "scope")
);
        CREATE TABLE IF NOT EXISTS "import_jobs" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    "rejected_by_reason" JSON NOT NULL,
    "error" TEXT,
    "created_by" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "started_at" TIMESTAMP,
    "finished_at" TIMESTAMP,
    "heartbeat_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "idx_import_jobs_status_1b9000" ON "import_jobs" ("status");
        CREATE TABLE IF NOT EXISTS "import_rejects" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "job_id" BIGINT NOT NULL,
    "row_number" BIGINT NOT NULL,
    "reason" VARCHAR(32) NOT NULL,
    "line" TEXT NOT NULL,
    CONSTRAINT "uid_import_reje_job_id_475f0b" UNIQUE ("job_id", "row_number")
);
        CREATE TABLE IF NOT EXISTS "leads" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
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
    "dialable" INT NOT NULL,
    "priority" SMALLINT NOT NULL,
    "next_attempt_at" TIMESTAMP,
    "attempts" INT NOT NULL,
    "attempts_by_disposition" JSON NOT NULL,
    "last_disposition" VARCHAR(16),
    "import_job_id" BIGINT,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    "list_id" BIGINT NOT NULL REFERENCES "lead_lists" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_leads_list_id_f780a9" UNIQUE ("list_id", "phone")
);
CREATE INDEX IF NOT EXISTS "idx_leads_hopper" ON "leads" ("list_id", "dialable", "priority", "next_attempt_at");
        CREATE TABLE IF NOT EXISTS "lead_attempts" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "campaign_id" VARCHAR(32),
    "disposition" VARCHAR(16) NOT NULL,
    "notes" TEXT,
    "scheduled_at" TIMESTAMP,
    "source" VARCHAR(16) NOT NULL,
    "actor" VARCHAR(200) NOT NULL,
    "at" TIMESTAMP NOT NULL,
    "lead_id" BIGINT NOT NULL REFERENCES "leads" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "idx_lead_attempts_lead" ON "lead_attempts" ("lead_id", "at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "lead_lists";
        DROP TABLE IF EXISTS "dnc_numbers";
        DROP TABLE IF EXISTS "leads";
        DROP TABLE IF EXISTS "lead_attempts";
        DROP TABLE IF EXISTS "import_rejects";
        DROP TABLE IF EXISTS "import_jobs";"""


MODELS_STATE = (
    "eJztnW1v2zgSgP+K4U89IFckTpx0D4cDnMTd9a4TLxLv3WKLhUBLtM2NLKkS3cbt5r8fqX"
    "dKoiIqliIz/NSa5EjUMxQ1Mxwy3/sb24Cm9/4KbByAVlb/X73vfQtsIPlPru6o1weOk9TQ"
    "AgwWpt9YD1v5pWDhYRfomFQsgelBUmRAT3eRg5FNb2JtTZMW2jppiKxVUrS10Oct1LC9gn"
    "gNXVLx6U9SjCwDPkIv+uk8aEsETYPpLzLovf1yDe8cv+wSrSYW/ui3pTdcaLptbjdW0t7Z"
    "4bVtxQLIwrR0BS3oAgzpHbC7pU9AOxg+bfRQQWeTJkEvUzIGXIKtiVNPvNCSsr6m3c7m2v"
    "14rml9AUa6bVG+pKueD2BFu/DPHwaD09OLwfHp+Yfh2cXF8MPxB9LW72++6uIp6ExCK7iU"
    "z2zy4+R2TjtkEyUG6qUFT74MwCCQ8pWR0Pf/zfG/WgO3mH7UPsOfPFiWf0S7TAFRQaKBZO"
    "C1oYINeNRMaK3wmvwcHB+X4P3v6O7qp9HdO9LqHyzk27BqENRR3glfH5AA36i9hHxPzivg"
    "PTnn0qVVLFwTeVgrmj/4fFMiMiKuNIRPSobwSX4Ik+fcCo3hWEARrkaYfHasB82xTaTv8q"
    "B/vp/dciaLjFyGt4F03Pu7R4f8AXIvwUyJ0CtvPO+zmab77mb0exb81XR26cOxPbxy/av4"
    "F7jMKMEBOu1ODv9H0wYcUyQRyZBfUhm5mF/Pfrucjnu/3o2vJveTkP8u5B9U0iJSgLDP4G"
    "48mmYQ0zdJXwPLCs1QFjTX4suKPW/7HQDq0PwbnJxdnH04PT+Lrb64pMzYiwy7hC1YAMsg"
    "VHTgCI3hjJwayFUGMtgUGB38eTpsrqbnl0zPLqTA0JcCU4RPnpVSCniBAjwM8LZg2ubbgY"
    "lEU4Zgq/56w86M7kLKQgvmW5bxNanBaAOLObOS2UEeir6P/nOAQ71PHtCYWeYuVHkJ+vnk"
    "Znw/H938yoz/69F8TGsG7GQflr7Lqim+SO9/k/lPPfqz98fsdpx9TeJ28z/6tE9gi23Nsr"
    "9qwEiNzqg0osZofesYNbXOSiqtd0XrEaOU2v3e0wDo8iEVhKMFC6A/fAWuoeVq7IHNa5uv"
    "2gw22RJggZWvMwqXdjOMC48cNLcfYGHMOK47KosZAwdpmDZTQWMVNH7rQeNG4kGubQrxjd"
    "rLyHfvdpY/dWlr4K2F4vKM1H5Av+5MwmA+P6uA+fyMi5lW5fy1JXoUQZxIqHGs/IU3aDlW"
    "8Rfgo4PI1WponZXcg9bD7nZF6Qei5AL3IK9lF34h35s67zYrqbTcNS13xQvcGgiPLezu+k"
    "V+YFJ7VOoJ0nYaJA0RbN4Z/ERu7JJaLcqRCH8S3+5P5Sh20lEUn7/atEna1Mehz1vM6peO"
    "bVfEso8F5FsHaCRpzOeloYKF3GcYhzK1MHfsQ89iPhtWoHw25EKmVTnGtEdihEMJ+YZxM2"
    "lN7Oe6cqiFFZMwGDCsAnvIZz3koRbLhWSEJMTcyKA2IAaoKH1pDh85NmVKRArKZbbM+Pc5"
    "Y8bkMg9iU2Y6u/0xap5NR8hkHthbVxeaQhIJKYA3HUp0oW67BjS0RUH6acmyAysmIeq9WX"
    "cdcfunELDucbr8qMzVN0mLBlz8T/0o+8ohYwcGjnzK5//eT54snbtvIBCMICrpIttF2B+D"
    "FpmENYAx3Dj03z69HHx0iPPjkd7FgJLoAFU2eTJtbTsO9AdsNH77vih5Vv/Hk4owdDLCEA"
    "wbgUkrFpBwutr/lwGYWPOJnQh5SoyUfN5og5wHtTgPFOdqnJfIJd8Q0fwVVkpCzk04Siao"
    "QZoRUqArgaZp1mLeUSQgH+BBFXOdb6znwipoA78JGhhpGfkA7z9R6JtYnPubrCHuk2pTQ8"
    "nMkCVr2RgKBapiARnoth6l6uD+GKlst7TPn3G3bZt48RYn+poOFbCcF0TuAEGXOdGz2ZQZ"
    "2ZeT7ND97eZyTMj74JNNjvkNpemwCov7fgNMkxvfSMvJtFP3dHBxHoc26I+yYMb9zWg6zT"
    "PNhqdyaMuTIwrEVYZXpzMlAl2JbHZPi7T3+hw3++7sb5d7SEdb7DQDeURfqHgZv2QzNv8S"
    "7e8P7v97ubX8vILeYotMjCzvPb3tf/rtv12N7Br2HfpSTT0TDChX0UFapk0bSmjj2C7W/r"
    "IXhQkBpYsTWdFaU1DXeLe4UqH2Z7zt/RlqP7dsWi8w9MLeVziIrmyu5R9Fd9B+UgvTbC6b"
    "gtVEXg0fbReilfUL3PmqmJB+A6swQSiVEDE96HNhktJk5nLB1ziBIT38yPOTp4ZBJOBqdH"
    "81uh4HGQ/FKSoJ7jW5iO0WxAguQ8GPv9xBE3CstxTsUWCVS8T7qelEnggZJ58nRbQ8rUdL"
    "u5yN7uBhs3norYPxVz1RJ+6r/8t/FJWu07HZ+ajHT9eJzpsWzFTOiMnnBJ5WWbg85a9cnu"
    "aWLmv63Ptwt7s2Qzftb6t1tlbX2fQ1NLZmLR8rK6ui591xqvK+tMr7bzrrsHMbOWXI9WfX"
    "K0SnKGnDPzLNTCnfRSDekwipeM/e4j2hG7iHeM8BqqByrCcZeqKxnqajGH6UjRPCiCJwz8"
    "QvaCRLnUX5RiMK6izKZi0YF2J3p7nEaSpwcflZFhkxlVlR7gfXyKxQ68v81+IwVxrV+vJb"
    "1DpvfVlgyzhrDhfM06KrcQeo/VdZhru29NvtZuHbizkLNqksNWENS9csv10j++vj/c6ebj"
    "v5DfbKqu2kVau2tTca+AzeBQG8sYCEePe/9kg+xJ7YsmMiIcOSWAtuWWTDi53Yw0pJOJYb"
    "Za08LVlsbp6nJWBzN2lWTvws/J/tRZFZmVSWmpVJJr8Kjb5RI1JlJb/a5o8lIp8k4VNmEh"
    "kZP83DKmf4klb8T/Mwd4qvA7DQn/GJ2kvI9+R4UOVsDtqs5AyJQe58ji6eayDT3/1c7DD0"
    "yNcVA1Nsps4ISrNZuOWpOsBoFMZbnsdvFIddFP2K9F37ax34jJhiX4890HXoUEBC6NNSin"
    "zNUQ//grow+bSUIl+PvLF1TKSDwoT9MvasnKJfk76la2tUdB5KKfuUlCL/shmHnnrCC8+X"
    "ZfMUSaukHiaUuY+kHui6RRn5/K1EsYAM6yZtbyVSiyhqEaUL9OVaRMkEj9x6Wmcl1Ua97m"
    "Sn5bW8RBby1rXUnBFVeu6ynteQvJMLMhvXUHRWVmm6a5ru1OL3ne9x9Lnr32H9UYUl8MB5"
    "aSS5MjknzyV8gyxOlWLZJQ+Yvzpe53jEF56L2DnD87VC/tGrIgSflVMKeEEsqOX0zM5hbz"
    "j/1URF61n8IE7UXgq4bQRxOmKqjKCL9HWRkRLWlJonIGnTmeS8t2J7vPBAcr5V8QW6nuCR"
    "WykRKSaAFtK+6EslQDhsLiHdRv6gGLkjhlaBh89fIEqJtL8q9Dofs72t/7zqx+zp/1Pamh"
    "k="
)
