"""The bench's client against a server that drops idle keep-alive connections the two ways it can."""

from __future__ import annotations

import asyncio
import socket
import struct

import httpx
import pytest

from bench.load import get_again_if_stale

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


async def _serve(drop_second_request_by: str) -> tuple[asyncio.AbstractServer, int, list[int]]:
    """Answers the first request of each connection and keeps it open; on a connection's second
    request, drops it as a client meets gunicorn closing an idle one at that moment: with a reset
    ("reset": the request's bytes unread in the closing socket) or closed with no answer ("close")."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        if drop_second_request_by == "close":
            writer.close()
            return
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], connections


@pytest.mark.parametrize("drop_by", ["reset", "close"])
def test_a_get_on_a_connection_the_server_dropped_is_sent_again_on_a_new_one(drop_by):
    async def scenario() -> tuple[list[int], int, list[int]]:
        server, port, connections = await _serve(drop_by)
        stale: list[int] = []
        url = f"http://127.0.0.1:{port}/"
        try:
            async with httpx.AsyncClient(trust_env=False) as session:
                statuses = [
                    (await get_again_if_stale(session, url, on_stale=lambda: stale.append(1))).status_code
                    for _ in range(2)
                ]
        finally:
            server.close()
            await server.wait_closed()
        return statuses, len(stale), connections

    statuses, stale, connections = asyncio.run(scenario())

    assert statuses == [200, 200]
    assert stale == 1
    assert len(connections) == 2


def test_a_server_that_never_answers_is_not_retried_for_ever():
    async def scenario() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            async with httpx.AsyncClient(trust_env=False) as session:
                await get_again_if_stale(session, f"http://127.0.0.1:{port}/")
        finally:
            server.close()
            await server.wait_closed()

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(scenario())
