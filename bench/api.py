"""REST v1 throughput and latency against a real `dialer serve` (one uvicorn worker).

    .venv/bin/python bench/api.py [--db sqlite|postgres] [--requests 2000] [--concurrency 32]

Creates campaigns (a write + its audit row in one transaction), reads them one by one, lists them
in pages, and prints requests/s and p50/p99 latency for each. Each mutation is also checked to have
left exactly one audit row."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

import httpx
import jwt
from scratch_db import scratch_database

SECRET = "bench-secret-bench-secret-bench-secret"
BODY = {
    "name": "bench",
    "type": "predictive",
    "listId": "lst_1",
    "queue": "sales",
    "trunkPolicy": {"weights": {"gw_main": 1}},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def phase(
    name: str, client: httpx.AsyncClient, requests: list[tuple[str, str, dict | None]], concurrency: int
) -> list[httpx.Response]:
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    queue = list(reversed(requests))

    async def worker() -> None:
        while queue:
            method, path, body = queue.pop()
            started = time.perf_counter()
            response = await client.request(method, path, json=body)
            latencies.append(time.perf_counter() - started)
            responses.append(response)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    bad = sum(1 for r in responses if r.status_code >= 300)
    latencies.sort()
    print(
        f"{name:<22} {len(requests) / elapsed:8.0f} req/s   p50 {statistics.median(latencies) * 1000:6.1f} ms"
        f"   p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:6.1f} ms   errors {bad}"
    )
    return responses


async def run(url: str, total: int, concurrency: int) -> None:
    token = jwt.encode({"sub": "bench", "role": "admin", "exp": int(time.time()) + 3600}, SECRET, algorithm="HS256")
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=30
    ) as client:
        created = await phase("POST /campaigns", client, [("POST", "/campaigns", BODY)] * total, concurrency)
        ids = [r.json()["id"] for r in created if r.status_code == 201]
        await phase("GET /campaigns/{id}", client, [("GET", f"/campaigns/{i}", None) for i in ids], concurrency)
        await phase(
            "GET /campaigns?limit=50", client, [("GET", "/campaigns?limit=50", None)] * (total // 4), concurrency
        )
        await phase(
            "POST /campaigns/{id}/start", client, [("POST", f"/campaigns/{i}/start", None) for i in ids], concurrency
        )
        audit = (await client.get("/audit", params={"action": "campaign.start", "limit": 500})).json()["items"]
        assert len(audit) == min(len(ids), 500), "a mutation without its audit row"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with scratch_database(args.db, "bench", "?maxsize=20") as database_url:
        serve_and_measure(args, database_url)


def serve_and_measure(args: argparse.Namespace, database_url: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DIALER_DATABASE_URL": database_url,
        "DIALER_JWT_SECRET": SECRET,
        "DIALER_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "dialer.app.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        print(
            f"database {args.db}, {args.requests} requests per phase, concurrency {args.concurrency}, 1 uvicorn worker"
        )
        asyncio.run(run(url, args.requests, args.concurrency))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
