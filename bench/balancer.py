"""A TCP load balancer, as a cloud load balancer or a Kubernetes Service stands in front of the
gateways and the Rasa servers (bench/scale_out.py runs it on a host of its own).

    python bench/balancer.py LISTEN_HOST:PORT=BACKEND:PORT,BACKEND:PORT [...]

Each new connection goes to the next backend in turn; a backend that refuses the connection (a
killed host) is skipped for that connection and tried again on the next. A connection already
open to a backend that dies is closed, as a real balancer closes it: the client sees the error.
"""

from __future__ import annotations

import asyncio
import itertools
import sys

CONNECT_TIMEOUT = 1.0


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()


def serve(backends: list[tuple[str, int]]):
    turn = itertools.cycle(range(len(backends)))

    async def handle(client_reader, client_writer) -> None:
        start = next(turn)
        for i in range(len(backends)):
            host, port = backends[(start + i) % len(backends)]
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port),
                                                        CONNECT_TIMEOUT)
                break
            except (OSError, asyncio.TimeoutError):
                continue
        else:
            client_writer.transport.abort()
            return
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))
        writer.close()
        client_writer.close()

    return handle


async def main(specs: list[str]) -> None:
    servers = []
    for spec in specs:
        listen, _, targets = spec.partition("=")
        host, _, port = listen.rpartition(":")
        backends = [(t.rpartition(":")[0], int(t.rpartition(":")[2])) for t in targets.split(",")]
        servers.append(await asyncio.start_server(serve(backends), host, int(port)))
    print("balancing " + " ".join(specs), flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
