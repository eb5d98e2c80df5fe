#!/usr/bin/python3
"""A plain pymodbus TCP server for Edge's client tests and latency benchmark.

Usage: pymodbus_server.py PORT
Holding registers 0..9999 start as their own address (register n holds n); input registers hold 10000 + n.
Prints "ready PORT" on stdout once the listening socket is open. Stops on SIGTERM/SIGINT or when stdin closes.
"""
import asyncio
import logging
import signal
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

logging.basicConfig(level=logging.CRITICAL)


def main() -> None:
    port = int(sys.argv[1])
    # pymodbus' sequential blocks are 1-based internally for protocol address 0: start them at 1.
    holding = ModbusSequentialDataBlock(1, list(range(10000)))
    inputs = ModbusSequentialDataBlock(1, [(10000 + n) & 0xFFFF for n in range(10000)])
    store = ModbusSlaveContext(hr=holding, ir=inputs, zero_mode=False)
    context = ModbusServerContext(slaves=store, single=True)

    async def run() -> None:
        server_task = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", port)))
        # Readiness: poll our own port until it accepts, then say so.
        for _ in range(500):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.01)
        else:
            print("failed to listen", flush=True)
            sys.exit(1)
        print(f"ready {port}", flush=True)
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.read(1) or (stop.done() or stop.set_result(None)))
        await stop
        server_task.cancel()

    asyncio.run(run())


if __name__ == "__main__":
    main()
